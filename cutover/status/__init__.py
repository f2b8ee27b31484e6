"""What the public sees: the status page and the operators' dashboard, as pure views of a cutover."""
