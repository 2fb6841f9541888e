"""Stack settings: typed, validated once, before any resource is registered."""

from settings.base import Profile, Shape
from settings.loader import ConfigError, ConfigIssue, load_settings, parse_config
from settings.stack import Settings

__all__ = ["ConfigError", "ConfigIssue", "Profile", "Settings", "Shape", "load_settings", "parse_config"]
