"""Intent catalog, faker-based scenario generator, import/export and validation."""
