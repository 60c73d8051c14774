"""pyradiogen — breast-cancer MRI radiogenomics with R's reference statistics embedded."""

__version__ = "0.1.0"
