"""The backend's tests.

Imported before conftest.py and the app: the tests must not see the user's `.env`, so the settings
read no dotenv file at all (ENV_FILE, see app/core/config.py). conftest.py clears the settings'
environment variables too; each test sets what it needs.
"""

import os

os.environ["ENV_FILE"] = os.devnull
