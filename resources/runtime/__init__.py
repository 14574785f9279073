"""The shared template runtime: one WebView activity (smali) that hosts a template's web/ part."""
