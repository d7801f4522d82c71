from django.apps import AppConfig


class SampleConfig(AppConfig):
    """A program that exists only for the tests: proof that a program is one folder.

    Nothing outside this folder names it or its steps. The test settings install every
    folder under tests/programs/ as an app, as the real settings install workflows/*.
    """

    name = "tests.programs.sample"
    label = "sample"
    verbose_name = "Sample program (tests only)"

    def ready(self):
        from core import programs

        from .steps import PROGRAM

        programs.register(PROGRAM)
