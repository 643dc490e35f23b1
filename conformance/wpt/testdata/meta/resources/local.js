function fromRelativeHelper() { return "rel"; }
