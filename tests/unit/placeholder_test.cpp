// replaced by the unit tests
