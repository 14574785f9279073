"""The releases area's core: Play tracks, releases, listings and the rules that change them."""
