"""Helpers for the data tests: store values directly (no checks) to set up a situation."""

from decimal import Decimal

from weijian.data.models import DataValue
from weijian.data.periods import get_period


def put(element, org_unit, period_code: str, value) -> DataValue:
    return DataValue.objects.create(
        element=element, org_unit=org_unit, period=get_period(period_code), value=Decimal(str(value))
    )
