"""China's cross-border e-commerce comprehensive pilot zones: data, geocoding and map views."""
