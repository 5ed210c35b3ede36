"""Component ids shared by page layouts and their callbacks, one module per page."""
