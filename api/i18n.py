"""Words of the web pages in Chinese and English, and the visitor's choice between them.

Chinese is the default: the registry's users are the city's bureaus. A visitor who
switches to English keeps that choice in a cookie (`screg_lang`), so every later page,
error pages included, comes in the same language without a query parameter in the URL.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from starlette.requests import Request

from registry.bilingual import detail_name

LANGS = ("zh", "en")
DEFAULT_LANG = "zh"
LANG_COOKIE = "screg_lang"
LANG_COOKIE_MAX_AGE = 365 * 24 * 3600

STRINGS: dict[str, dict[str, str]] = {
    "site": {"zh": "智慧城市标准登记库", "en": "Smart-city standards registry"},
    "skip": {"zh": "跳到正文", "en": "Skip to content"},
    "nav_home": {"zh": "首页", "en": "Home"},
    "nav_search": {"zh": "检索", "en": "Search"},
    "nav_validate": {"zh": "校验", "en": "Validate"},
    "nav_register": {"zh": "登记", "en": "Register"},
    "nav_impact": {"zh": "影响分析", "en": "Impact"},
    "switch_to": {"zh": "English", "en": "中文"},
    "footer_api": {"zh": "API 文档", "en": "API documentation"},
    "footer_categories": {"zh": "分类树 JSON", "en": "Category tree (JSON)"},
    # home
    "home_title": {"zh": "智慧城市标准体系", "en": "The smart-city standard system"},
    "home_intro": {
        "zh": "本库登记本市智慧城市标准体系中的标准、政务信息资源目录和数据接口规范。",
        "en": "This registry holds the standards of the city's smart-city standard system, "
        "the government information resource catalogues and the data interface specifications.",
    },
    "categories": {"zh": "标准体系分类", "en": "Categories"},
    "category": {"zh": "分类", "en": "Category"},
    "total": {"zh": "合计", "en": "Total"},
    "progress": {"zh": "规划目标进度", "en": "Progress against the plan's targets"},
    "target_national": {
        "zh": "国际、国家、行业标准",
        "en": "International, national and industry standards",
    },
    "target_local": {"zh": "地方标准、团体标准", "en": "Local and group standards"},
    "of_target": {"zh": "{count} / 目标 {target}", "en": "{count} of {target}"},
    "counting_note": {
        "zh": "计入现行和即将实施的标准。",
        "en": "Current and forthcoming standards count.",
    },
    "recent": {"zh": "最近登记", "en": "Recent registrations"},
    "no_recent": {"zh": "暂无登记记录。", "en": "Nothing registered yet."},
    "counts_entries": {"zh": "登记条目", "en": "Registered entries"},
    # kinds
    "kind_standard": {"zh": "标准", "en": "Standard"},
    "kind_resource": {"zh": "信息资源", "en": "Information resource"},
    "kind_interface": {"zh": "数据接口", "en": "Data interface"},
    "kind_department": {"zh": "部门", "en": "Department"},
    "kind_catalogue": {"zh": "目录", "en": "Catalogue"},
    "kind_category": {"zh": "分类", "en": "Category"},
    "kind_assessment": {"zh": "符合性评估", "en": "Conformity assessment"},
    "assessments": {"zh": "符合性评估", "en": "Conformity assessments"},
    # conformity assessments (docs/assessment.md)
    "assessment_code": {"zh": "评估编号", "en": "Assessment code"},
    "assessment_subject": {"zh": "评估对象", "en": "Subject"},
    "assessment_test": {"zh": "依据标准", "en": "Standard"},
    "assessment_clause": {"zh": "条款", "en": "Clause"},
    "assessment_outcome": {"zh": "评估结论", "en": "Outcome"},
    "assessment_date": {"zh": "评估日期", "en": "Date"},
    "assessment_mode": {"zh": "评估方式", "en": "Mode"},
    "assessment_publisher": {"zh": "评估方部门", "en": "Assessor department"},
    "assessment_asserted_by": {"zh": "评估方", "en": "Assessed by"},
    "assessment_description": {"zh": "结论说明", "en": "Findings"},
    "assessment_evidence": {"zh": "证据文件", "en": "Evidence"},
    "assessment_sha256": {"zh": "SHA-256 摘要", "en": "SHA-256"},
    "assessment_location": {"zh": "保存位置", "en": "Kept at"},
    "assessment_valid_until": {"zh": "有效期至", "en": "Valid until"},
    "assessment_expired": {"zh": "已过期", "en": "expired"},
    "assessment_latest": {"zh": "最新", "en": "latest"},
    "assessment_outdated": {
        "zh": "已过时：规则已变更，待重新评估",
        "en": "outdated: the rules changed, to be run again",
    },
    "conformity": {"zh": "标准符合性", "en": "Conformity"},
    "conformity_as_of": {"zh": "截至 {day}", "en": "as of {day}"},
    "conformity_claimed": {"zh": "声明符合的条目", "en": "Entries claiming it"},
    "conformity_claimed_assessed": {"zh": "其中已评估", "en": "of which assessed"},
    "conformity_assessed": {"zh": "已评估的条目", "en": "Entries assessed"},
    "conformity_passed": {"zh": "通过", "en": "Passed"},
    "conformity_failed": {"zh": "不通过", "en": "Failed"},
    "conformity_cant_tell": {"zh": "无法判定", "en": "Cannot tell"},
    "conformity_inapplicable": {"zh": "不适用", "en": "Inapplicable"},
    "conformity_expired": {"zh": "已过期", "en": "Expired"},
    "conformity_outdated": {"zh": "已过时（规则变更）", "en": "Outdated (rules changed)"},
    "conformity_shown": {
        "zh": "显示前 {shown} 项，共 {total} 项；其余见 API 的 offset 参数。",
        "en": "The first {shown} of {total} are shown; the API's offset gives the rest.",
    },
    "conformity_claims": {"zh": "条目声明的标准", "en": "Standards claimed by its entries"},
    "conformity_claims_assessed": {"zh": "其中已评估", "en": "of which assessed"},
    "conformity_recorded": {"zh": "本部门登记的评估", "en": "Assessments it recorded"},
    "conformity_entries": {"zh": "资源和接口", "en": "Resources and interfaces"},
    "conformity_note": {
        "zh": "每个条目按其最近一次评估计；过期的评估和规则变更后待重新运行的自动评估单独计数。",
        "en": "Each entry counts by its latest assessment; expired ones, and automatic ones "
        "made under rules that have since changed, are counted apart.",
    },
    "conformity_none": {"zh": "尚无评估。", "en": "No assessment yet."},
    "reassess": {"zh": "须重新评估的符合性评估", "en": "Assessments to make again"},
    "application": {"zh": "标准应用情况", "en": "How far the standards are applied"},
    "application_claimed": {
        "zh": "有资源或接口声明符合的标准",
        "en": "Standards some resource or interface claims",
    },
    "application_assessed": {"zh": "已开展符合性评估的标准", "en": "Standards assessed"},
    "application_passed": {"zh": "有评估通过的标准", "en": "Standards with a passing assessment"},
    "of_in_force": {"zh": "{count} / 现行标准 {total}", "en": "{count} of {total} in force"},
    "application_note": {
        "zh": "计入现行有效的标准；过期的评估不计为通过。",
        "en": "Standards in force count; an expired assessment is no pass.",
    },
    "standards": {"zh": "标准", "en": "Standards"},
    "resources": {"zh": "信息资源", "en": "Information resources"},
    "interfaces": {"zh": "数据接口", "en": "Data interfaces"},
    "departments": {"zh": "部门", "en": "Departments"},
    # standard statuses and register statuses
    "status_current": {"zh": "现行", "en": "Current"},
    "status_forthcoming": {"zh": "即将实施", "en": "Forthcoming"},
    "status_superseded": {"zh": "被代替", "en": "Superseded"},
    "status_abolished": {"zh": "废止", "en": "Abolished"},
    "reg_submitted": {"zh": "已提交", "en": "Submitted"},
    "reg_valid": {"zh": "有效", "en": "Valid"},
    "reg_invalid": {"zh": "无效", "en": "Invalid"},
    "reg_deprecated": {"zh": "已弃用", "en": "Deprecated"},
    "reg_superseded": {"zh": "已被取代", "en": "Superseded"},
    "reg_retired": {"zh": "已撤销", "en": "Retired"},
    # category page
    "subcategories": {"zh": "下级分类", "en": "Sub-categories"},
    "filter": {"zh": "筛选", "en": "Filter"},
    "apply": {"zh": "应用", "en": "Apply"},
    "any": {"zh": "全部", "en": "Any"},
    "status": {"zh": "状态", "en": "Status"},
    "level": {"zh": "级别", "en": "Level"},
    "none_found": {"zh": "没有符合条件的条目。", "en": "Nothing matches."},
    "n_standards": {"zh": "共 {n} 项标准", "en": "{n} standard(s)"},
    # entry pages
    "metadata": {"zh": "基本信息", "en": "Metadata"},
    "identifier": {"zh": "标准编号", "en": "Identifier"},
    "code": {"zh": "代码", "en": "Code"},
    "title": {"zh": "名称", "en": "Title"},
    "title_other": {"zh": "其他语言名称", "en": "Title in the other language"},
    "nature": {"zh": "性质", "en": "Nature"},
    "std_status": {"zh": "标准状态", "en": "Standard status"},
    "register_status": {"zh": "登记状态", "en": "Register status"},
    "version": {"zh": "版本", "en": "Version"},
    "issued": {"zh": "发布日期", "en": "Issued"},
    "in_force_from": {"zh": "实施日期", "en": "In force from"},
    "withdrawn_on": {"zh": "废止日期", "en": "Withdrawn on"},
    "replaces": {"zh": "代替", "en": "Replaces"},
    "replaced_by": {"zh": "被代替为", "en": "Replaced by"},
    "successor_note": {
        "zh": "本标准已被代替，请使用：",
        "en": "This standard is superseded; use:",
    },
    "ics": {"zh": "ICS 分类号", "en": "ICS"},
    "ccs": {"zh": "CCS 分类号", "en": "CCS"},
    "adoption": {"zh": "采标情况", "en": "Adoption"},
    "references": {"zh": "引用的标准", "en": "References"},
    "dated": {"zh": "注日期引用", "en": "Dated reference"},
    "undated": {"zh": "不注日期引用", "en": "Undated reference"},
    "cited_by": {"zh": "被以下标准引用", "en": "Cited by"},
    "conforming": {"zh": "符合本标准的信息资源和接口", "en": "Resources and interfaces conforming"},
    "picture": {"zh": "依赖关系图", "en": "Dependency picture"},
    "picture_full": {"zh": "查看完整依赖关系图", "en": "Open the full dependency picture"},
    "picture_unavailable": {
        "zh": "本服务器未安装 Graphviz，无法绘图；下面列出图中的条目。",
        "en": "Graphviz is not installed on this server: no drawing; the entries are listed.",
    },
    "picture_entries": {"zh": "图中的条目", "en": "Entries in the picture"},
    "picture_capped": {
        "zh": "图中只画出离本条目最近的 {shown} 个条目（共 {total} 个）；影响分析页列出全部。",
        "en": "The picture draws the {shown} entries nearest to this one, of {total}; the "
        "impact page lists them all.",
    },
    "picture_legend": {
        "zh": "方框：标准（绿色现行、灰色被代替、红色废止）；椭圆：信息资源；六边形：数据接口；"
        "虚线：不注日期引用；红线：引用了已被代替或废止的版本。点击条目可打开其页面。",
        "en": "Boxes: standards (green current, grey superseded, red abolished); ellipses: "
        "resources; hexagons: interfaces; dashed: undated references; red: a link to a "
        "superseded or abolished edition. Click an entry to open its page.",
    },
    "depth": {"zh": "层数", "en": "Depth"},
    "direction": {"zh": "方向", "en": "Direction"},
    "dir_both": {"zh": "双向", "en": "Both"},
    "dir_dependencies": {"zh": "依赖的条目", "en": "What it needs"},
    "dir_dependents": {"zh": "依赖它的条目", "en": "What needs it"},
    "show": {"zh": "显示", "en": "Show"},
    "history": {"zh": "版本历史", "en": "Version history"},
    "time": {"zh": "时间", "en": "Time"},
    "activity": {"zh": "活动", "en": "Activity"},
    "made_by": {"zh": "操作者", "en": "By"},
    "change_note": {"zh": "说明", "en": "Note"},
    "transfer_from_to": {"zh": "归属转移", "en": "Transfer"},
    "digest": {"zh": "内容摘要", "en": "Content digest"},
    "publisher": {"zh": "提供方", "en": "Provider"},
    "description": {"zh": "摘要", "en": "Abstract"},
    "resource_class": {"zh": "资源分类", "en": "Classification"},
    "format": {"zh": "格式", "en": "Format"},
    "sharing_type": {"zh": "共享类型", "en": "Sharing type"},
    "sharing_condition": {"zh": "共享条件", "en": "Sharing condition"},
    "sharing_basis": {"zh": "不予共享依据", "en": "Basis for not sharing"},
    "sharing_methods": {"zh": "共享方式", "en": "Sharing methods"},
    "openness": {"zh": "是否向社会开放", "en": "Open to the public"},
    "open_condition": {"zh": "开放条件", "en": "Open condition"},
    "update_cycle": {"zh": "更新周期", "en": "Update cycle"},
    "related": {"zh": "关联资源", "en": "Related resources"},
    "conforms_to": {"zh": "符合的标准", "en": "Conforms to"},
    "data_items": {"zh": "信息项", "en": "Data items"},
    "position": {"zh": "序号", "en": "No."},
    "name": {"zh": "名称", "en": "Name"},
    "data_type": {"zh": "数据类型", "en": "Data type"},
    "length": {"zh": "长度", "en": "Length"},
    "served_by": {"zh": "提供该资源的接口", "en": "Interfaces serving it"},
    "endpoint_url": {"zh": "服务地址", "en": "Endpoint URL"},
    "endpoint_description": {"zh": "接口描述", "en": "Endpoint description"},
    "protocol": {"zh": "协议", "en": "Protocol"},
    "auth_method": {"zh": "认证方式", "en": "Authentication"},
    "serves": {"zh": "提供的资源", "en": "Serves"},
    "credit_code": {"zh": "统一社会信用代码", "en": "Unified social credit code"},
    "provides": {"zh": "提供的资源和接口", "en": "Resources and interfaces provided"},
    "iri": {"zh": "标识 IRI", "en": "IRI"},
    "other_formats": {"zh": "其他格式", "en": "Other formats"},
    "none": {"zh": "无", "en": "None"},
    "triples": {"zh": "全部陈述", "en": "All statements"},
    "subject": {"zh": "主语", "en": "Subject"},
    "predicate": {"zh": "谓语", "en": "Predicate"},
    "object": {"zh": "宾语", "en": "Object"},
    "version_changes": {
        "zh": "与第 {against} 版相比的变更",
        "en": "Changes from version {against}",
    },
    "version_first": {
        "zh": "首个版本：以下全部陈述均为此版新增。",
        "en": "The first version: every statement below came with it.",
    },
    "version_unchanged": {
        "zh": "内容与第 {against} 版相同：此版只改变了登记记录（如登记状态）。",
        "en": "The content is that of version {against}: this version changed only its "
        "register record (its register status, for one).",
    },
    "diff_added": {"zh": "新增", "en": "Added"},
    "diff_removed": {"zh": "删除", "en": "Removed"},
    "changes_more": {
        "zh": "另有新增 {added} 条、删除 {removed} 条未列出（见 API）。",
        "en": "{added} more added and {removed} more removed statements are not listed "
        "(see the API).",
    },
    # search
    "search_title": {"zh": "检索", "en": "Search"},
    "search_label": {
        "zh": "名称、编号或代码（中英文均可）",
        "en": "Title, identifier or code (Chinese or English)",
    },
    "search_button": {"zh": "检索", "en": "Search"},
    "search_kind": {"zh": "类别", "en": "Kind"},
    "filters": {"zh": "筛选条件", "en": "Filters"},
    "filter_for": {"zh": "适用于：{kinds}", "en": "For: {kinds}"},
    "download_list": {"zh": "下载列表：", "en": "Download the list:"},
    "results_listed": {"zh": "共 {n} 项", "en": "{n} entries"},
    "download_list_csv": {
        "zh": "CSV（Excel、WPS 可直接打开）",
        "en": "CSV (opens in Excel and WPS)",
    },
    "download_list_xlsx": {"zh": "XLSX 工作簿", "en": "XLSX workbook"},
    "download_list_note": {
        "zh": "下载包含符合条件的全部条目，不只本页。",
        "en": "A download holds every entry chosen, not just this page.",
    },
    "search_hint": {
        "zh": "标准编号可以任意写法输入，如 GB/T21063.3—2007。",
        "en": "Standard identifiers may be written in any spelling, e.g. GB/T21063.3—2007.",
    },
    "results_for": {"zh": "“{q}”的检索结果：{n} 项", "en": "{n} result(s) for “{q}”"},
    "more_of_kind": {"zh": "其余 {n} 项", "en": "{n} more"},
    # validate and register
    "validate_title": {"zh": "校验目录", "en": "Validate a catalogue"},
    "validate_intro": {
        "zh": "上传目录文件（Turtle、N-Triples、JSON-LD、RDF/XML，CSV、XLSX、XLS 表格，"
        "OpenAPI 文档或 DCAT 目录），按规范校验。校验不写入任何内容。",
        "en": "Upload a catalogue (Turtle, N-Triples, JSON-LD, RDF/XML, a CSV, XLSX or XLS "
        "spreadsheet, an OpenAPI document or a DCAT catalogue) to check it against the "
        "shapes. Nothing is written.",
    },
    "file": {"zh": "目录文件", "en": "Catalogue file"},
    "file_format": {"zh": "文件格式", "en": "File format"},
    "format_auto": {"zh": "按文件扩展名判断", "en": "From the file extension"},
    "format_dcat": {"zh": "DCAT 目录（RDF）", "en": "DCAT catalogue (RDF)"},
    "mapping_fields": {
        "zh": "OpenAPI 和 DCAT 的补充信息（文件本身未说明时填写）",
        "en": "For OpenAPI and DCAT: what the file cannot say itself",
    },
    "mapping_department": {
        "zh": "部门统一社会信用代码（OpenAPI 的提供部门；DCAT 中发布者未能对应的数据集所属部门）",
        "en": "Department's credit code (an OpenAPI document's provider; the department of "
        "DCAT datasets whose publisher maps to none)",
    },
    "mapping_assign_codes": {
        "zh": "DCAT：为没有代码的数据集分配代码的前段码（如 209001）",
        "en": "DCAT: the front code (前段码) under which datasets without a code get one "
        "(e.g. 209001)",
    },
    "provisional_field": {
        "zh": "暂行登记：缺少的必填值作为“待补充”警告列出，不拒绝提交；"
        "缺值的条目以“已提交”状态登记，补齐后重新提交方可有效",
        "en": "Provisional registration: missing required values are listed as warnings to "
        "complete instead of refusing the submission; the entries lacking them are "
        "registered as submitted until a complete submission makes them valid",
    },
    "mapping_title": {
        "zh": "OpenAPI：接口中文名称（文档标题不是中文时）",
        "en": "OpenAPI: the interface's Chinese title (when the document's is not Chinese)",
    },
    "mapping_title_en": {"zh": "OpenAPI：接口英文名称", "en": "OpenAPI: the English title"},
    "mapping_serves": {
        "zh": "OpenAPI：接口服务的信息资源代码（以空格或逗号分隔）",
        "en": "OpenAPI: codes of the resources it serves (separated by spaces or commas)",
    },
    "validate_button": {"zh": "校验", "en": "Validate"},
    "report": {"zh": "校验报告", "en": "Validation report"},
    "conforms": {"zh": "符合规范：没有违规项。", "en": "Conforms: no violation."},
    "not_conforms": {
        "zh": "不符合规范：存在违规项。",
        "en": "Does not conform: violations found.",
    },
    "counts": {
        "zh": "违规 {Violation} 项，警告 {Warning} 项，提示 {Info} 项",
        "en": "{Violation} violation(s), {Warning} warning(s), {Info} info",
    },
    "nothing_written": {"zh": "未写入任何内容。", "en": "Nothing was written."},
    "entry": {"zh": "条目", "en": "Entry"},
    "severity": {"zh": "级别", "en": "Severity"},
    "path": {"zh": "属性", "en": "Property"},
    "value": {"zh": "值", "en": "Value"},
    "message": {"zh": "说明", "en": "Message"},
    "sheet": {"zh": "工作表", "en": "Sheet"},
    "row": {"zh": "行", "en": "Row"},
    "column": {"zh": "列", "en": "Column"},
    "sev_Violation": {"zh": "违规", "en": "Violation"},
    "sev_Warning": {"zh": "警告", "en": "Warning"},
    "sev_Info": {"zh": "提示", "en": "Info"},
    "omitted": {"zh": "另有 {n} 项结果未列出。", "en": "{n} more result(s) not listed."},
    "download": {"zh": "下载报告", "en": "Download the report"},
    "download_csv": {"zh": "下载 CSV", "en": "Download CSV"},
    "download_turtle": {"zh": "下载 Turtle", "en": "Download Turtle"},
    "no_file": {"zh": "请选择要上传的文件。", "en": "Choose a file to upload."},
    "register_title": {"zh": "登记目录", "en": "Register a catalogue"},
    "sign_in": {"zh": "登录", "en": "Sign in"},
    "sign_in_intro": {
        "zh": "使用登记管理员发放的令牌登录。令牌只保存在本浏览器的会话 Cookie 中。",
        "en": "Sign in with the token the registrar gave you. It is kept only in this "
        "browser's session cookie.",
    },
    "token": {"zh": "令牌", "en": "Token"},
    "sign_out": {"zh": "退出", "en": "Sign out"},
    "signed_in_as": {"zh": "已登录：{who}", "en": "Signed in: {who}"},
    "bad_token": {"zh": "令牌无效、已过期或已撤销。", "en": "Unknown, expired or revoked token."},
    "need_sign_in": {"zh": "请先登录。", "en": "Please sign in first."},
    "submit_button": {"zh": "提交登记", "en": "Submit"},
    "register_intro": {
        "zh": "上传本部门的目录文件。校验通过的条目登记为新版本；存在违规项时不写入任何内容。",
        "en": "Upload your department's catalogue. Conforming entries are registered as new "
        "versions; with any violation nothing is written.",
    },
    "accepted": {"zh": "已登记。", "en": "Registered."},
    "rejected": {
        "zh": "未登记：提交内容不符合规范，未写入任何内容。",
        "en": "Not registered: the submission does not conform; nothing was written.",
    },
    "outcome_new": {"zh": "新增", "en": "new"},
    "outcome_updated": {"zh": "更新", "en": "updated"},
    "outcome_unchanged": {"zh": "未变化", "en": "unchanged"},
    "outcome_submitted": {"zh": "待审核", "en": "waiting for review"},
    "submitted_outcome": {"zh": "待审核", "en": "waiting for review"},
    "nav_reviews": {"zh": "审核", "en": "Review"},
    # tokens (admins)
    "tokens_title": {"zh": "访问令牌管理", "en": "Access tokens"},
    "tokens_need_sign_in": {
        "zh": "请先用管理员令牌在“登记”页登录。",
        "en": "Sign in with an admin token on the Register page first.",
    },
    "tokens_admin_only": {"zh": "仅管理员可管理令牌。", "en": "Only an admin manages tokens."},
    "tokens_link": {"zh": "管理访问令牌", "en": "Manage access tokens"},
    "tokens_all": {"zh": "全部令牌", "en": "Every token"},
    "token_new": {"zh": "新建令牌", "en": "Make a token"},
    "token_make": {"zh": "新建", "en": "Make"},
    "token_made": {"zh": "令牌已创建", "en": "Token made"},
    "token_secret": {"zh": "令牌密钥", "en": "Secret"},
    "token_secret_once": {
        "zh": "请立即复制并妥善保存密钥：它只显示这一次，本库只保存其摘要，无法再次查看。",
        "en": "Copy the secret and keep it safe now: it is shown this once; the registry "
        "keeps only its digest and cannot show it again.",
    },
    "token_id": {"zh": "令牌编号", "en": "Id"},
    "token_role": {"zh": "角色", "en": "Role"},
    "token_department": {"zh": "部门（提交者必填）", "en": "Department (for a submitter)"},
    "token_name": {"zh": "备注名称", "en": "Label"},
    "token_days": {"zh": "有效天数", "en": "Days valid"},
    "token_created": {"zh": "创建时间", "en": "Made"},
    "token_expires": {"zh": "到期时间", "en": "Expires"},
    "token_no_expiry": {"zh": "不过期", "en": "No expiry"},
    "token_state": {"zh": "状态", "en": "State"},
    "token_state_active": {"zh": "有效", "en": "Active"},
    "token_state_expired": {"zh": "已过期", "en": "Expired"},
    "token_state_revoked": {"zh": "已撤销", "en": "Revoked"},
    "token_actions": {"zh": "操作", "en": "Actions"},
    "token_expire": {"zh": "立即到期", "en": "Expire now"},
    "token_revoke": {"zh": "撤销", "en": "Revoke"},
    "token_done_expire": {"zh": "令牌已到期，立即失效。", "en": "The token has expired."},
    "token_done_revoke": {"zh": "令牌已撤销。", "en": "The token is revoked."},
    # departments (registrars)
    "departments_admin_title": {"zh": "部门维护", "en": "Departments"},
    "departments_link": {"zh": "维护部门", "en": "Maintain departments"},
    "departments_need_sign_in": {
        "zh": "请先用登记员令牌在“登记”页登录。",
        "en": "Sign in with a registrar token on the Register page first.",
    },
    "departments_registrars_only": {
        "zh": "仅登记员和管理员可维护部门。",
        "en": "Only registrars and admins maintain departments.",
    },
    "department_add": {"zh": "新增部门", "en": "Add a department"},
    "department_add_button": {"zh": "新增", "en": "Add"},
    "department_update": {"zh": "修改部门名称", "en": "Rename a department"},
    "department_update_button": {"zh": "保存", "en": "Save"},
    "department_credit_code": {"zh": "统一社会信用代码", "en": "Unified social credit code"},
    "department_name_zh": {"zh": "中文名称", "en": "Name in Chinese"},
    "department_name_en": {"zh": "英文名称（可选）", "en": "Name in English (optional)"},
    "department_done_added": {"zh": "部门已登记：", "en": "Department registered:"},
    "department_done_updated": {"zh": "部门名称已更新：", "en": "Department renamed:"},
    "departments_all": {"zh": "全部 {n} 个部门", "en": "All {n} departments"},
    "role_submitter": {"zh": "提交者", "en": "Submitter"},
    "role_registrar": {"zh": "登记员", "en": "Registrar"},
    "role_admin": {"zh": "管理员", "en": "Admin"},
    "reviews_title": {"zh": "提交审核", "en": "Review of submissions"},
    "reviews_intro": {
        "zh": "以下提交符合规范，等待登记员接受或驳回；接受前，各处仍显示上一次接受的版本。",
        "en": "These submissions conform and wait for a registrar to accept or reject them; "
        "until then every page shows the last accepted version.",
    },
    "reviews_pending": {"zh": "待审核", "en": "Waiting for review"},
    "reviews_rejected": {"zh": "已驳回", "en": "Rejected"},
    "reviews_shown": {
        "zh": "这里列出最早的 {n} 条；其余的可通过 /api/v1/reviews 分页查看。",
        "en": "The oldest {n} are listed here; /api/v1/reviews pages through the rest.",
    },
    "reviews_shown_rejected": {
        "zh": "这里列出最近的 {n} 条；其余的可通过 /api/v1/reviews?status=invalid 分页查看。",
        "en": "The latest {n} are listed here; /api/v1/reviews?status=invalid pages "
        "through the rest.",
    },
    "reviews_none": {"zh": "没有待审核的提交。", "en": "Nothing waits for review."},
    "reviews_none_rejected": {"zh": "没有被驳回的提交。", "en": "Nothing was rejected."},
    "review_need_sign_in": {
        "zh": "请先在“登记”页面用令牌登录。",
        "en": "Sign in with your token on the Register page first.",
    },
    "review_changes": {"zh": "变更内容", "en": "Changes"},
    "review_added": {"zh": "新增", "en": "added"},
    "review_removed": {"zh": "删除", "en": "removed"},
    "review_accept": {"zh": "接受", "en": "Accept"},
    "review_reject": {"zh": "驳回", "en": "Reject"},
    "review_reason": {"zh": "理由", "en": "Reason"},
    "review_done_accepted": {
        "zh": "已接受，该版本现为现行版本。",
        "en": "Accepted: it is the current version now.",
    },
    "review_done_invalid": {"zh": "已驳回。", "en": "Rejected."},
    "review_submitted_by": {"zh": "提交部门", "en": "Submitted by"},
    "review_decided": {"zh": "驳回时间", "en": "Rejected on"},
    "review_new_entry": {"zh": "新条目", "en": "new entry"},
    "outcome": {"zh": "结果", "en": "Outcome"},
    "submission": {"zh": "提交记录", "en": "Submission"},
    "my_submissions": {"zh": "本部门的提交记录", "en": "Your department's submissions"},
    "no_submissions": {"zh": "尚无提交记录。", "en": "No submission yet."},
    "started": {"zh": "提交时间", "en": "Submitted"},
    "entries_n": {"zh": "条目数", "en": "Entries"},
    "agent": {"zh": "提交者", "en": "Submitted by"},
    "accepted_outcome": {"zh": "已登记", "en": "accepted"},
    "unchanged_outcome": {"zh": "内容未变化", "en": "unchanged"},
    "csrf_failed": {
        "zh": "表单已过期或来自其他网站，请刷新页面后重试。",
        "en": "The form has expired or came from another site; reload the page and try again.",
    },
    "role": {"zh": "角色", "en": "Role"},
    # impact
    "impact_title": {"zh": "影响分析", "en": "Impact analysis"},
    "impact_intro": {
        "zh": "选择一项标准和一种状态变化，查看受影响的标准、信息资源和数据接口及其关联路径。",
        "en": "Choose a standard and a change to see which standards, resources and interfaces "
        "are affected, and through which links.",
    },
    "impact_standard": {"zh": "标准（编号或名称）", "en": "Standard (identifier)"},
    "impact_hint": {
        "zh": "输入标准编号，任意写法均可，如 GB/T35273—2017；输入后会列出匹配的标准供选择。",
        "en": "Type a standard identifier in any spelling, e.g. GB/T35273—2017; "
        "the standards matching what you typed are then offered.",
    },
    "impact_suggestions": {"zh": "匹配的标准", "en": "Matching standards"},
    "change": {"zh": "变化", "en": "Change"},
    "change_superseded": {"zh": "被代替", "en": "Superseded"},
    "change_auto": {
        "zh": "按标准现状（废止或被代替）",
        "en": "As its status says (abolished or superseded)",
    },
    "change_abolished": {"zh": "废止", "en": "Abolished"},
    "analyse": {"zh": "分析", "en": "Analyse"},
    "affected": {"zh": "受影响的条目", "en": "Affected entries"},
    "follows": {
        "zh": "不注日期引用，自动适用新版本",
        "en": "Undated citers: they follow the successor by themselves",
    },
    "nothing_affected": {"zh": "没有受影响的条目。", "en": "Nothing is affected."},
    "page_range": {
        "zh": "第 {first}–{last} 条，共 {total} 条",
        "en": "{first}-{last} of {total}",
    },
    "page_past_end": {
        "zh": "本页没有条目（共 {total} 条）。",
        "en": "Nothing on this page (of {total}).",
    },
    "next_page": {"zh": "下一页", "en": "Next page"},
    "previous_page": {"zh": "上一页", "en": "Previous page"},
    "via": {"zh": "关联路径", "en": "Path"},
    "move_to": {"zh": "应改用", "en": "Move to"},
    "direct": {"zh": "直接", "en": "direct"},
    "indirect": {"zh": "间接", "en": "indirect"},
    "successor": {"zh": "后继版本", "en": "Successor"},
    "by_dated_references": {"zh": "注日期引用", "en": "dated reference"},
    "by_undated_references": {"zh": "不注日期引用", "en": "undated reference"},
    "by_conforms_to": {"zh": "声明符合", "en": "conforms to"},
    "link_references:dated": {"zh": "注日期引用", "en": "dated reference"},
    "link_references:undated": {"zh": "不注日期引用", "en": "undated reference"},
    "link_conformsTo": {"zh": "符合", "en": "conforms to"},
    "link_serves": {"zh": "提供数据", "en": "serves"},
    "link_replaces": {"zh": "代替", "en": "replaces"},
    "link_providedBy": {"zh": "提供方", "en": "provided by"},
    "link_inCategory": {"zh": "属于", "en": "in category"},
    # the SPARQL query page
    "sparql_title": {"zh": "SPARQL 查询", "en": "SPARQL query"},
    "sparql_intro": {
        "zh": "用 SPARQL 查询登记库的公开数据（只读）。下面已填好本库的前缀，可直接改写查询，"
        "或从示例开始。",
        "en": "Query the registry's public data with SPARQL (read only). The registry's "
        "prefixes are filled in below: edit the query, or start from an example.",
    },
    "sparql_query": {"zh": "查询", "en": "Query"},
    "sparql_run": {"zh": "执行查询", "en": "Run the query"},
    "sparql_examples": {"zh": "示例查询", "en": "Example queries"},
    "sparql_example_categories": {
        "zh": "标准体系的六大类及各类标准数",
        "en": "The six categories of the standard system, with their standards counted",
    },
    "sparql_example_department": {
        "zh": "某部门（沈阳市大数据管理局）提供的信息资源",
        "en": "The information resources of a department (Shenyang Big Data Administration)",
    },
    "sparql_example_cites": {
        "zh": "引用或符合某标准（GB/T 35273-2017）的条目",
        "en": "What cites or conforms to a standard (GB/T 35273-2017)",
    },
    "sparql_protocol_note": {
        "zh": "程序请按 SPARQL 1.1 协议访问 /sparql（GET 或 POST，Accept 选择结果格式）。",
        "en": "Programs use /sparql by the SPARQL 1.1 Protocol (GET or POST; Accept chooses "
        "the result format).",
    },
    "sparql_results": {"zh": "查询结果", "en": "Results"},
    "sparql_refused": {"zh": "查询未执行", "en": "The query was not run"},
    "sparql_rows": {"zh": "共 {n} 行。", "en": "{n} rows."},
    "sparql_rows_shown": {
        "zh": "此处显示前 {n} 行，下载可得全部。",
        "en": "The first {n} are shown here; the downloads hold them all.",
    },
    "sparql_truncated": {
        "zh": "结果超过 {n} 行，已截断。",
        "en": "The result was cut at {n} rows.",
    },
    "sparql_download": {"zh": "下载结果", "en": "Download the results"},
    "yes": {"zh": "是", "en": "yes"},
    "no": {"zh": "否", "en": "no"},
    # errors
    "error": {"zh": "出错了", "en": "Something went wrong"},
    "error_404": {"zh": "未找到该页面或条目", "en": "Not found"},
    "error_400": {"zh": "请求有误", "en": "Bad request"},
    "error_401": {"zh": "需要登录", "en": "Sign-in needed"},
    "error_403": {"zh": "无权执行此操作", "en": "Not allowed"},
    "error_405": {"zh": "不允许的请求方法", "en": "Method not allowed"},
    "error_409": {"zh": "与登记状态冲突", "en": "Conflict"},
    "error_413": {"zh": "上传内容过大", "en": "Upload too large"},
    "error_415": {"zh": "不支持的文件格式", "en": "Unsupported file format"},
    "error_422": {"zh": "请求无法处理", "en": "Request cannot be processed"},
    "error_429": {"zh": "尝试次数过多，请稍后再试", "en": "Too many attempts: try again later"},
    "error_500": {"zh": "服务器内部错误", "en": "Internal error"},
    "error_503": {"zh": "服务暂不可用", "en": "Service unavailable"},
    "error_back": {"zh": "返回首页", "en": "Back to the home page"},
    "error_fields": {"zh": "有误的参数：", "en": "The parameters to correct:"},
    "error_404_text": {
        "zh": "本库中没有登记该条目，或地址有误。可以试试检索。",
        "en": "Nothing is registered under this address. Try searching.",
    },
    "details": {"zh": "详细信息", "en": "Details"},
}


def asked_language(request: Request) -> str | None:
    """The language an API client asks for with Accept-Language (`zh` or `en`, the one
    with the highest q), or None when it names neither: its error messages then keep
    both languages."""
    best: tuple[float, str] | None = None
    for part in request.headers.get("accept-language", "").split(","):
        tag, _, params = part.strip().partition(";")
        lang = tag.strip().lower().split("-", 1)[0]
        if lang not in ("zh", "en"):
            continue
        try:
            q = float(params.strip()[2:]) if params.strip().startswith("q=") else 1.0
        except ValueError:
            q = 1.0  # a malformed q counts as 1, as the Accept parser reads it
        if q > 0 and (best is None or q > best[0]):
            best = (q, lang)
    return best[1] if best else None


def lang_of(request: Request) -> str:
    """The visitor's language: the cookie's choice, else Chinese."""
    chosen = request.cookies.get(LANG_COOKIE, "")
    return chosen if chosen in LANGS else DEFAULT_LANG


class Translator:
    """`t("key", n=3)` in templates: the string in the page's language, formatted."""

    def __init__(self, lang: str) -> None:
        self.lang = lang if lang in LANGS else DEFAULT_LANG
        self.other = "en" if self.lang == "zh" else "zh"

    @property
    def known(self) -> frozenset[str]:
        return frozenset(STRINGS)

    def __call__(self, key: str, **values: Any) -> str:
        entry = STRINGS.get(key)
        if entry is None:
            return key  # a missing key shows itself rather than breaking the page
        text = entry[self.lang]
        return text.format(**values) if values else text

    def detail(self, key: str) -> str:
        """An error detail's name in the page's language (registry.bilingual)."""
        return detail_name(key, self.lang)

    def label(self, labels: Mapping[str, str] | None, fallback: str = "") -> str:
        """A zh/en label map in the page's language, else the other one, else `fallback`."""
        if not labels:
            return fallback
        return labels.get(self.lang) or labels.get(self.other) or labels.get("") or fallback
