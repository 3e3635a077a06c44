# This file is intentionally left blank.
