"""友邻 youlin: neighbourhood governance for an urban community and its sub-district."""

__version__ = "0.1.0"
