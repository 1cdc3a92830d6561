"""Process-level machinery: the worker processes the operating system limits
(`processes`) and the pause of the cyclic garbage collector (`collector`)."""
