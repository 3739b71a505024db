"""Settings are read once from the environment and a bad value stops the app with a clear message."""

import pytest

from dialogue.core.settings import DEFAULT_DATABASE_URL, SettingsError, load_settings

GOOD_KEY = "k" * 40


def test_defaults_are_sqlite_in_development_with_a_generated_key():
    settings = load_settings({})
    assert settings.env == "development"
    assert settings.database_url == DEFAULT_DATABASE_URL
    assert settings.database_engine == "sqlite"
    assert settings.sqlite_path.name == "dialogue.sqlite3"
    assert settings.port == 8000 and settings.default_language == "vi"
    assert len(settings.secret_key) >= 32
    assert any("SECRET_KEY" in notice for notice in settings.notices)
    # The generated key is kept, so a restart (or a second worker) uses the same one.
    assert load_settings({}).secret_key == settings.secret_key


@pytest.mark.parametrize("url, engine", [
    ("sqlite:///var/x.sqlite3", "sqlite"),
    ("postgres://u:p@db:5432/dialogue", "postgres"),
    ("postgresql://u@localhost/dialogue", "postgres"),
])
def test_database_url_chooses_the_engine(url, engine):
    assert load_settings({"DATABASE_URL": url}).database_engine == engine


def test_absolute_and_relative_sqlite_paths():
    assert str(load_settings({"DATABASE_URL": "sqlite:////tmp/a.sqlite3"}).sqlite_path) == "/tmp/a.sqlite3"
    assert load_settings({"DATABASE_URL": "sqlite:///var/a.sqlite3"}).sqlite_path.parts[-2:] == ("var", "a.sqlite3")


def test_unknown_database_scheme_is_refused_with_the_accepted_forms():
    with pytest.raises(SettingsError) as error:
        load_settings({"DATABASE_URL": "mysql://root@localhost/x"})
    assert "DATABASE_URL" in str(error.value) and "'mysql'" in str(error.value)
    assert "postgres://" in str(error.value) and "sqlite:///" in str(error.value)


def test_production_needs_a_secret_key():
    with pytest.raises(SettingsError, match="SECRET_KEY: required in production"):
        load_settings({"DIALOGUE_ENV": "production"})
    settings = load_settings({"DIALOGUE_ENV": "production", "SECRET_KEY": GOOD_KEY})
    assert settings.production and settings.secret_key == GOOD_KEY and not settings.notices


@pytest.mark.parametrize("env, message", [
    ({"SECRET_KEY": "short"}, "at least 32"),
    ({"DIALOGUE_ENV": "staging"}, "DIALOGUE_ENV"),
    ({"PORT": "eighty"}, "PORT: 'eighty' is not a whole number"),
    ({"PORT": "70000"}, "PORT: 70000 is not a TCP port"),
    ({"DB_POOL_MAX": "-1"}, "DB_POOL_MAX: must be at least 0"),
    ({"TRUSTED_PROXIES": "10.0.0.1, not-an-ip"}, "TRUSTED_PROXIES: 'not-an-ip'"),
    ({"DEFAULT_LANGUAGE": "fr"}, "DEFAULT_LANGUAGE"),
    ({"SMTP_URL": "http://mail"}, "SMTP_URL"),
    ({"BASE_URL": "ftp://x"}, "BASE_URL"),
])
def test_bad_values_name_the_variable(env, message):
    with pytest.raises(SettingsError, match=message):
        load_settings(env)


def test_trusted_proxies_are_parsed_as_networks():
    settings = load_settings({"TRUSTED_PROXIES": "10.0.0.1, 192.168.0.0/16"})
    assert settings.trusted_proxies == ("10.0.0.1/32", "192.168.0.0/16")


def test_the_app_refuses_to_start_with_a_bad_setting(tmp_path):
    import os
    import subprocess
    import sys

    from dialogue.core.settings import PROJECT_ROOT

    result = subprocess.run(
        [sys.executable, "-c", "import app"], cwd=PROJECT_ROOT, capture_output=True, text=True,
        env={**os.environ, "DATABASE_URL": "mongodb://x"}, timeout=60,
    )
    assert result.returncode == 2
    assert "Configuration error: DATABASE_URL: unknown scheme 'mongodb'" in result.stderr
    assert "Traceback" not in result.stderr
