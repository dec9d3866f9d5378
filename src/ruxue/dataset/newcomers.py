"""A 新市民 family of the version-2 city: hukou outside the city, renting in a district, with
residence permits, social insurance and points in the city (category D of ``cohort.md``)."""

import datetime as dt

from ruxue.dataset.city import Applicant, City, Row, add_person, address_in, birth_between
from ruxue.dataset.names import NEW_CITIZEN_REGIONS, District

PRIORITY_GROUPS = (("military", 0.5), ("talent", 0.4), ("firefighter", 0.1))

APPLICATION_DAY = (5, 1)  # month, day: about when families apply


def months_before(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 - months
    return dt.date(index // 12, index % 12 + 1, min(day.day, 28))


class NewCitizenFamily:
    def __init__(self, city: City, district: District) -> None:
        self.city, self.d, self.r = city, district, city.rng
        self.region, self.place = self.r.choice(NEW_CITIZEN_REGIONS)
        compounds = city.compounds[district.code]
        served = [c for c in compounds if ("primary", c.code) in city.catchments]
        self.rented = self.r.choice(served or compounds)
        self.junior = self.r.random() < city.mix.junior
        self.applied = dt.date(city.year, *APPLICATION_DAY)

    def build(self) -> None:
        c, y = self.city, self.city.year
        booklet = self._booklet()
        no = booklet["booklet_no"]
        father_born = birth_between(c, dt.date(y - 45, 1, 1), dt.date(y - 29, 12, 31))
        mother_born = birth_between(c, dt.date(y - 43, 1, 1), dt.date(y - 27, 12, 31))
        father = add_person(c, self.region, father_born, "M", no)
        mother = add_person(c, self.region, mother_born, "F", no)
        child = self._child(no, father, mother)
        booklet["members"] = [
            {"id_number": father["id_number"], "relation": "户主"},
            {"id_number": mother["id_number"], "relation": "配偶"},
            {"id_number": child["id_number"], "relation": "子" if child["gender"] == "M" else "女"},
        ]
        self._records(father, mother, child)
        for parent, p_permit in ((father, 0.9), (mother, 0.55)):
            if self.r.random() < p_permit:
                self._permit_and_points(parent)
        if self.junior:
            self._primary_school(child)
        segment = "junior" if self.junior else "primary"
        c.cohort.append(Applicant(self.d.code, segment, frozenset({self.rented.code})))
        if self.r.random() < c.mix.priority:
            add_priority(c, child, self.d.code)

    def _booklet(self) -> Row:
        n = self.city.next("newcomer")
        row: Row = {
            "booklet_no": f"HK{self.region}{n:07d}",
            "district_code": self.region,
            "address": f"{self.place}{self.r.randint(1, 300)}号",
            "compound_code": f"NC-{self.region}-{n % 500:04d}",
            "members": [],
        }
        self.city.out["hukou_booklets"].append(row)
        return row

    def _child(self, booklet_no: str, father: Row, mother: Row) -> Row:
        y = self.city.year
        if self.junior:
            start, end = dt.date(y - 13, 9, 1), dt.date(y - 12, 8, 31)
        else:
            start, end = dt.date(y - 7, 9, 1), dt.date(y - 6, 8, 31)
        return add_person(
            self.city,
            self.region,
            birth_between(self.city, start, end),
            self.r.choice("MF"),
            booklet_no,
            surname=father["name"][:1],
            father=father["id_number"],
            mother=mother["id_number"],
        )

    def _records(self, father: Row, mother: Row, child: Row) -> None:
        c, out = self.city, self.city.out
        if self.r.random() < 0.9:
            married = child["birth_date"] - dt.timedelta(days=self.r.randint(300, 2500))
            out["marriages"].append(
                {
                    "cert_no": f"J{self.region}-{married.year}-{c.next('marriage'):07d}",
                    "party_a": father["id_number"],
                    "party_b": mother["id_number"],
                    "registered_on": married,
                    "status": "married",
                }
            )
        out["birth_certificates"].append(
            {
                "cert_no": f"P{self.region[:2]}{c.next('birth'):08d}",
                "child_id_number": child["id_number"],
                "father_id_number": father["id_number"],
                "mother_id_number": mother["id_number"],
                "birth_date": child["birth_date"],
                "hospital": self.place[: self.place.index("市") + 1] + "妇幼保健院",
            }
        )
        for parent, share in ((father, 0.9), (mother, 0.6)):
            if self.r.random() < share:
                months = self.r.randint(1, 120)
                out["social_insurance"].append(
                    {
                        "id_number": parent["id_number"],
                        "city_code": "320500",
                        "months_paid": months,
                        "since": f"{months_before(self.applied, months):%Y-%m}",
                    }
                )

    def _permit_and_points(self, parent: Row) -> None:
        c, roll = self.city, self.r.random()
        months = self.r.randint(1, 5) if roll < 0.08 else self.r.randint(6, 84)
        valid_from = months_before(self.applied, months)
        valid_to = dt.date(valid_from.year + 3, valid_from.month, valid_from.day) - dt.timedelta(1)
        if roll > 0.96:  # expired before the application
            valid_to = self.applied - dt.timedelta(days=self.r.randint(10, 200))
            valid_from = min(valid_from, valid_to - dt.timedelta(days=365))
        c.out["residence_permits"].append(
            {
                "permit_no": f"JZ{self.d.code}-{valid_from.year}-{c.next('permit'):07d}",
                "id_number": parent["id_number"],
                "district_code": self.d.code,
                "address": address_in(c, self.rented),
                "compound_code": self.rented.code,
                "valid_from": valid_from,
                "valid_to": valid_to,
            }
        )
        if self.r.random() < 0.85:
            c.out["points"].append(
                {
                    "id_number": parent["id_number"],
                    "points": round(self.r.uniform(20, 220), 1),
                    "as_of": dt.date(c.year, 4, 30),
                }
            )

    def _primary_school(self, child: Row) -> None:
        """A junior-school applicant finishing primary school in the city."""
        schools = [
            s
            for s in self.city.out["schools"]
            if s["district_code"] == self.d.code and s["segment"] == "primary"
        ]
        if not schools or self.r.random() < 0.1:
            return
        school = self.r.choice(schools)
        self.city.out["student_status"].append(
            {
                "id_number": child["id_number"],
                "stage": "primary",
                "school_name": school["name"],
                "status": "enrolled",
                "graduation_year": self.city.year,
                "school_code": school["code"],
            }
        )


def add_priority(city: City, child: Row, district_code: str) -> None:
    """The child on its district's priority list (军人子女, 人才 …)."""
    groups = [g for g, _ in PRIORITY_GROUPS]
    group = city.rng.choices(groups, weights=[w for _, w in PRIORITY_GROUPS])[0]
    city.out["priority_children"].append(
        {"child_id_number": child["id_number"], "group": group, "district_code": district_code}
    )
