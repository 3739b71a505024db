"""Piccolo's configuration, used by `piccolo migrations …` (see the Makefile)."""

from piccolo.conf.apps import AppRegistry

from dialogue.core.db import make_engine
from dialogue.core.settings import get_settings

DB = make_engine(get_settings())
APP_REGISTRY = AppRegistry(apps=["dialogue.piccolo_app"])
