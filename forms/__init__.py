"""Django forms of the web interface, one module per app they serve.

Forms here only shape and type what a person typed; the rules (ID checksums, one
head per household, a person in one household) live in the services, whose
InvalidInput errors the views map back onto these forms with ``apply_errors``.
"""
