"""The platform's pages, one module per area: home, orgs, catalogue, entry, imports, analysis.
Views parse the request, ask `accounts.scope` what the user may see, call the services, render."""

from .analysis import analysis, analysis_export
from .catalogue import catalogue
from .entry import data_entry, data_template
from .home import home
from .imports import data_import, import_progress, import_result
from .orgs import org_detail, org_io, org_tree

__all__ = [
    "analysis",
    "analysis_export",
    "catalogue",
    "data_entry",
    "data_template",
    "home",
    "data_import",
    "import_result",
    "import_progress",
    "org_detail",
    "org_io",
    "org_tree",
]
