"""Reference data the features read: the districts and their education bureaus, the site a
system belongs to (the city or a county), the schools and compounds. Imports no feature."""
