"""Piccolo's configuration, used by `piccolo migrations …` (see the Makefile)."""

from piccolo.conf.apps import AppRegistry

from dialogue.db import make_engine
from dialogue.settings import get_settings

DB = make_engine(get_settings())
APP_REGISTRY = AppRegistry(apps=["dialogue.piccolo_app"])
