from funnel_suite.funnel_cadences.setup import create_cadence_fields


def execute():
	create_cadence_fields()
