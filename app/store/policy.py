"""Numbers Google Play and Android decide, kept in one place.

Since 31 August 2026 Google Play refuses new apps and app updates whose targetSdkVersion is below 36;
Android 14+ refuses to install apps targeting below 23. A template may ask for a higher target, never
a lower one for Play.
"""

from __future__ import annotations

PLAY_MIN_TARGET_SDK = 36
MIN_SDK_FLOOR = 23
DEFAULT_MIN_SDK = MIN_SDK_FLOOR
DEFAULT_TARGET_SDK = PLAY_MIN_TARGET_SDK
MAX_SDK = 40  # a sanity cap for manifests; raise it when Android does

# Play Console listing limits (characters)
TITLE_MAX = 30
SHORT_DESCRIPTION_MAX = 80
FULL_DESCRIPTION_MAX = 4000
RELEASE_NOTES_MAX = 500
APP_LABEL_MAX = 30

# Play's graphic rules
FEATURE_GRAPHIC_SIZE = (1024, 500)
SCREENSHOT_MIN_SIDE = 320
SCREENSHOT_MAX_SIDE = 3840
SCREENSHOT_MAX_RATIO = 2.0  # the long side at most twice the short side
PHONE_SCREENSHOTS_MIN = 2
PHONE_SCREENSHOTS_MAX = 8
PHONE_SCREENSHOT_SIZE = (1080, 1920)  # what the project renders

# Launcher icon source
ICON_SOURCE_MIN_PX = 512
ICON_SIZE = (512, 512)  # Play's hi-res icon: a 32-bit PNG (with alpha)
ICON_MAX_BYTES = 1024 * 1024
FEATURE_GRAPHIC_MAX_BYTES = 15 * 1024 * 1024
SCREENSHOT_MAX_BYTES = 8 * 1024 * 1024
