"""The command line's own lines in Chinese and English: progress, what a command did,
what it found. One catalogue, so that a line is never written in one language only and
a translator finds every line in one place; `say(key, **values)` (registry/cli/common.py)
prints a line in the command's language (`--lang`, SCREG_LANG, the locale).

Values are put in with str.format; both halves of a line take the same names (a test
checks). Codes, IRIs, identifiers and file names go in as they are.
"""

from __future__ import annotations

from registry.bilingual import Text

LINES: dict[str, Text] = {
    # every command
    "error": Text(zh="错误：", en="error: "),
    "held_by_server": Text(
        zh="存储由运行中的 screg serve（进程 {pid}）占用，改由它办理：{url}",
        en="the store is held by screg serve (pid {pid}): sending this to it at {url}",
    ),
    "new_store": Text(
        zh="{path} 处没有存储：将新建一个，并写入本体与示例。如要使用已有的登记库，"
        "请用 --store 或 SCREG_STORE 指明",
        en="there is no store at {path}: a new one is made, seeded with the ontology and "
        "the examples. To work on an existing registry, name it with --store or SCREG_STORE",
    ),
    "new_store_to_read": Text(
        zh="{path} 处没有存储：将新建一个，只含本体与示例，并以它为准校验（引用的标准、部门"
        "须在其中）。如要对照已有的登记库，请用 --store 或 SCREG_STORE 指明",
        en="there is no store at {path}: a new one is made, holding only the ontology and the "
        "examples, and this is checked against it (the standards and departments referred to "
        "must be there). To check against an existing registry, name it with --store or "
        "SCREG_STORE",
    ),
    "validating": Text(zh="校验中", en="validating"),
    # register, status, transfer, assess
    "submission": Text(zh="提交 {submission}", en="submission {submission}"),
    "dry_run": Text(
        zh="试运行：符合规范，未写入任何内容；登记将得到：",
        en="dry run: it conforms; nothing was written. Registering it would give:",
    ),
    "outcome_count": Text(zh="{outcome} {n} 个", en="{n} {outcome}"),
    "skipped": Text(
        zh="  {skipped} 个条目未重新校验（内容与规则均未变化）",
        en="  {skipped} not validated again (skipped_entries: unchanged, same shapes)",
    ),
    "warnings": Text(
        zh="  {warnings} 项警告：用 `screg validate` 校验这些文件可查看",
        en="  {warnings} warning(s): run `screg validate` on the files to read them",
    ),
    "provisional": Text(
        zh="  {n} 个条目为暂行登记，登记状态为“已提交”："
        "补齐报告中标为“待补充”的值并重新提交后方可有效",
        en="  {n} registered provisionally, register status submitted: complete the values "
        "the report marks to complete and submit again before they can become valid",
    ),
    "status_changed": Text(
        zh="{item} 现为{status}（版本 {version}）", en="{item} is {status} (version {version})"
    ),
    "transferred": Text(
        zh="{item} 现归 {department} 所有（版本 {version}）",
        en="{item} belongs to {department} now (version {version})",
    ),
    "assess_unchanged": Text(
        zh="自动符合性评估：没有变化", en="automatic assessments: nothing changed"
    ),
    "assess_refused": Text(
        zh="自动符合性评估未被接受：请查看日志",
        en="automatic assessments refused: see the log",
    ),
    "assess_done": Text(
        zh="自动符合性评估：新增或变化 {n} 项，提交 {submission}",
        en="automatic assessments: {n} new or changed, submission {submission}",
    ),
    # history
    "history_transfer": Text(
        zh="       归属转移：{former} → {new}", en="       transfer: {former} -> {new}"
    ),
    "history_reason": Text(zh="       理由：{reason}", en="       reason: {reason}"),
    "changes_first": Text(
        zh="{item} 第 {version} 版（首个版本，以下为其全部陈述）",
        en="{item} version {version} (the first: every statement it holds)",
    ),
    "changes_against": Text(
        zh="{item} 第 {version} 版相对第 {against} 版的变更（- 删除，+ 新增）",
        en="{item} version {version} against version {against} (- removed, + added)",
    ),
    "changes_none": Text(
        zh="内容与上一版相同（仅登记状态或记录变化）",
        en="the content is that of the version before (only its register record changed)",
    ),
    "changes_more": Text(zh="{sign} 另有 {n} 行未列出", en="{sign} {n} more lines not shown"),
    # import, rebase, check, read-model
    "imported": Text(
        zh="已导入；存储代数 {generation}", en="imported; store generation {generation}"
    ),
    "rebased": Text(
        zh="已将 {moved} 个四元组从 {old} 迁移到 {new}",
        en="moved {moved} quads from {old} to {new}",
    ),
    "finding": Text(
        zh="{kind}：{entry}\n  {detail}\n  处理办法：{mend}",
        en="{kind}: {entry}\n  {detail}\n  mend: {mend}",
    ),
    "findings": Text(zh="发现 {n} 个问题", en="{n} finding(s)"),
    "no_findings": Text(
        zh="未发现问题：存储符合登记规则", en="no findings: the store keeps the rules"
    ),
    "read_model_rebuilt": Text(
        zh="读取模型 {path} 已按存储第 {generation} 代重建：{listed}",
        en="read model {path} rebuilt at store generation {generation}: {listed}",
    ),
    "kind_count": Text(zh="{kind} {n} 个", en="{n} {kind}"),
    # impact, cycles, coverage
    "impact_head": Text(
        zh="若 {name} {change}：受影响 {total} 项 {counts}",
        en="if {name} is {change}: {total} affected {counts}",
    ),
    "impact_listing": Text(
        zh="  列出第 {shown} 项，共 {total} 项（--offset、--limit）",
        en="  listing {shown} of {total} (--offset, --limit)",
    ),
    "none": Text(zh="无", en="none"),
    "impact_move": Text(zh="  改用 {successor}", en="  move to {successor}"),
    "impact_entry": Text(zh="  {mark} {kind} {name}", en="  {mark} {kind} {name}"),
    "direct": Text(zh="直接", en="direct  "),
    "indirect": Text(zh="间接", en="indirect"),
    "impact_path": Text(zh="           路径：{path}", en="           path: {path}"),
    "impact_entry_move": Text(
        zh="           改用 {successor}", en="           move to {successor}"
    ),
    "impact_follows": Text(
        zh="  随之变化 {kind} {name}（不注日期引用）",
        en="  follows  {kind} {name} (undated reference)",
    ),
    "impact_assessment": Text(zh="  符合性评估 {id}：{action}", en="  assessment {id}: {action}"),
    "cycles": Text(zh="循环引用的标准组 {n} 个", en="{n} reference cycle group(s)"),
    "cycle_group": Text(
        zh="  {size} 项标准相互循环引用，其中最短的引用环：",
        en="  {size} standard(s) citing each other round; a shortest reference cycle:",
    ),
    "coverage_target": Text(
        zh="{name} {count:>5} / {target}（{levels}）",
        en="{name:<9} {count:>5} / {target} ({levels})",
    ),
    "coverage_head": Text(
        zh="分类        现行  即将实施  被取代  废止",
        en="category  current forthcoming superseded abolished",
    ),
    "coverage_gap": Text(zh="{name}：{value}", en="{name}: {value}"),
    # token
    "token_made": Text(
        zh="编号 {id}，角色 {role}{department}，到期 {expires}",
        en="id {id}, role {role}{department}, expires {expires}",
    ),
    "token_department": Text(zh="，部门 {department}", en=", department {department}"),
    "token_expires": Text(zh="到期 {expires}", en="expires {expires}"),
    "token_no_expiry": Text(zh="不过期", en="no expiry"),
    "token_revoked_at": Text(zh="已撤销 {at}", en="revoked {at}"),
    "token_revoked": Text(zh="已撤销 {id}（{at}）", en="revoked {id} ({at})"),
}

# Codes a line names, as a person reads them: the register's outcomes and statuses,
# kinds of entry, roles, a token's state, the changes impact asks about, the audit's
# findings, coverage's targets and gaps, and the rules' severities.
WORDS: dict[str, Text] = {
    "new": Text(zh="新增", en="new"),
    "updated": Text(zh="更新", en="updated"),
    "unchanged": Text(zh="未变化", en="unchanged"),
    "submitted": Text(zh="待审核", en="submitted"),
    "valid": Text(zh="有效", en="valid"),
    "invalid": Text(zh="无效", en="invalid"),
    "deprecated": Text(zh="已弃用", en="deprecated"),
    "superseded": Text(zh="已被取代", en="superseded"),
    "retired": Text(zh="已撤销", en="retired"),
    "abolished": Text(zh="废止", en="abolished"),
    "standard": Text(zh="标准", en="standard"),
    "resource": Text(zh="信息资源", en="resource"),
    "interface": Text(zh="数据接口", en="interface"),
    "department": Text(zh="部门", en="department"),
    "catalogue": Text(zh="目录", en="catalogue"),
    "assessment": Text(zh="符合性评估", en="assessment"),
    "category": Text(zh="分类", en="category"),
    "submitter": Text(zh="提交者", en="submitter"),
    "registrar": Text(zh="登记员", en="registrar"),
    "admin": Text(zh="管理员", en="admin"),
    "active": Text(zh="有效", en="active"),
    "expired": Text(zh="已过期", en="expired"),
    "duplicate-identifier": Text(zh="标识重复", en="duplicate-identifier"),
    "iri-disagrees": Text(zh="IRI 与标识不一致", en="iri-disagrees"),
    "dangling-reference": Text(zh="引用了不存在的条目", en="dangling-reference"),
    "target_national": Text(zh="国际、国家、行业标准", en="national"),
    "target_local": Text(zh="地方标准、团体标准", en="local"),
    "international": Text(zh="国际", en="international"),
    "national": Text(zh="国家", en="national"),
    "local": Text(zh="地方", en="local"),
    "industry": Text(zh="行业", en="industry"),
    "group": Text(zh="团体", en="group"),
    "enterprise": Text(zh="企业", en="enterprise"),
    "categories_without_current": Text(zh="没有现行标准的分类", en="categories_without_current"),
    "resources_without_interface": Text(
        zh="没有数据接口的信息资源", en="resources_without_interface"
    ),
    "without_standard": Text(zh="未引用标准的条目", en="without_standard"),
    "only_superseded_standards": Text(
        zh="只引用已被取代标准的条目", en="only_superseded_standards"
    ),
    "flagged_references": Text(zh="需关注的引用", en="flagged_references"),
    "Violation": Text(zh="违规", en="Violation"),
    "Warning": Text(zh="警告", en="Warning"),
    "Info": Text(zh="提示", en="Info"),
}
