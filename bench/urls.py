"""The project's URLs plus viewflow's stock pages for the temporary-assistance flow
(queue, inbox, task list) under /viewflow/: the pages a Django team would otherwise
use, mounted here only to be measured against the engine's own."""

from django.urls import include, path
from viewflow.urls import Site
from viewflow.workflow.flow import FlowAppViewset

from workflows.temporary.flows import TemporaryAssistanceFlow

site = Site(title="bench", viewsets=[FlowAppViewset(TemporaryAssistanceFlow, icon="assignment")])

urlpatterns = [
    path("viewflow/", site.urls),
    path("", include("engine.urls")),
]
