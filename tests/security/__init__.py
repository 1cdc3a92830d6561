"""The hostile-input suite: every bad input gets a 4xx and nothing is lost."""
