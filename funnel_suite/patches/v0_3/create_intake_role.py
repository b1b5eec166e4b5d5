"""Funnel Intake: the role of the user the intake (and website inquiries) act as."""

from funnel_suite.install import create_roles


def execute():
	create_roles()
