"""File connectors: read published data files (Gapminder/UN DDF, OWID CSV) into the tidy table."""
