"""The city as an OpenID Connect provider for county systems: it brokers the provincial login."""
