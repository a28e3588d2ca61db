"""Sources: feeds, the licence register and export statistics -> plain records in the store."""
