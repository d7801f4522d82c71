from django.core.checks import Warning, register


@register(deploy=True)  # importing WeasyPrint costs ~1 s: only in `check --deploy`
def pdf_toolchain(app_configs, **kwargs):
    """WeasyPrint still works without libharfbuzz-subset, only ~50 times slower: say so before deploying."""
    from .rendering import harfbuzz_subset_available

    try:
        available = harfbuzz_subset_available()
    except OSError:  # WeasyPrint's own libraries (pango) are missing: it cannot render at all
        available = False
    if available:
        return []
    return [Warning("libharfbuzz-subset is not available: each PDF page will take seconds instead of ~0.2 s.",
                    hint="apt-get install libharfbuzz-subset0 fonts-noto-cjk", id="documents.W001")]
