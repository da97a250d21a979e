"""Claims, one module per area of the theory; every module here is loaded by the registry."""
