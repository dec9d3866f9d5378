"""Whose system the pages belong to: the city's, or in county mode (``RUXUE_COUNTY_DISTRICT``)
the district's — its name in the page title, the header and the footer."""

from dataclasses import dataclass

from ruxue.reference.districts import ISSUERS, district_label
from ruxue.settings import Settings

CITY, CITY_BUREAU = "苏州市", "苏州市教育局"


@dataclass(frozen=True)
class Site:
    region: str  # 苏州市, or the county's district: 吴中区
    bureau: str  # the education bureau that runs the system
    is_county: bool  # reports to a city (RUXUE_UPSTREAM_URL): the city's own pages do not apply

    @property
    def sms_signature(self) -> str:
        """The texts' 【…】 sender: 苏州市入学一件事, or 吴中区入学一件事 on a county system."""
        return f"{self.region}入学一件事"

    @property
    def name(self) -> str:
        """The system's name in page titles."""
        return "入学“一件事”" if self.region == CITY else f"{self.region}入学“一件事”"


CITY_SITE = Site(CITY, CITY_BUREAU, is_county=False)


def site_of(settings: Settings) -> Site:
    county, district = bool(settings.upstream_url), settings.county_district
    if not district:
        return Site(CITY, CITY_BUREAU, county)
    label = district_label(district)
    return Site(label, ISSUERS.get(district, f"{label}教育局"), county)
