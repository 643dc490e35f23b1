function fromAbsoluteHelper() { return "abs"; }
