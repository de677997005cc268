"""Storage: the one module that holds SQL (``store``) and its versioned schema (``migrations``)."""
