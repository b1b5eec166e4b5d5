"""Construction: the `production_order` link on Project, by which a production order's Create Project
hand-off finds the project it opened (safe to run twice)."""


def execute():
	from funnel_suite.funnel_production.project import create_project_fields

	create_project_fields()
