"""Ordinary customers: names a Rwandan remittance service sees every day, none of them listed.

The pools are the most frequent names of each population, from published rankings (France's INSEE, Russia's
and Ukraine's most frequent surnames and given names, China's 2020 census surname shares, Arab given-name
rankings, and for Rwanda and East Africa the most frequent names on published examination and voter lists).
Hard negatives keep the common given names of a listed person and give them a common family name, or are a
real family name a letter or two from a listed one (`entries.LOOK_ALIKES`): an analyst clears both.
"""

from __future__ import annotations

import random

from inzira.bench.evalset.entries import LOOK_ALIKES, Listed

POOLS: dict[str, tuple[list[str], list[str]]] = {  # culture: (given names, family names)
    "cyrillic": (
        "Aleksandr Sergey Dmitry Andrey Alexey Maxim Vladimir Ivan Mikhail Nikolai Yevgeny Oleg Igor Pavel Yuri "
        "Viktor Artem Roman Anton Denis Elena Olga Natalia Tatiana Irina Svetlana Anna Maria Ekaterina Yulia "
        "Anastasia Marina Oksana Mariam".split(),
        "Ivanov Smirnov Kuznetsov Popov Vasiliev Petrov Sokolov Mikhailov Novikov Fedorov Morozov Volkov Alekseev "
        "Lebedev Semenov Egorov Pavlov Kozlov Stepanov Nikolaev Orlov Andreev Makarov Nikitin Zakharov Shevchenko "
        "Kovalenko Bondarenko Tkachenko Kravchenko Melnyk Boyko".split(),
    ),
    "arabic": (
        "Mohammed Ahmed Ali Mahmoud Mustafa Hassan Hussein Omar Khalid Ibrahim Yusuf Abdullah Said Salim Hamid "
        "Karim Tariq Walid Nasser Faisal Jamal Adel Ismail Hamza Bilal Osama Majid Rashid Saleh Fatima Aisha "
        "Mariam Khadija Zainab Amina Layla Abubakar Abdelrahman".split(),
        "Ahmed Ali Hassan Hussein Mohamed Ibrahim Abdallah Khalil Mahmoud Saleh Saeed Mansour Haddad Nasser "
        "Hamdan Masri Tamimi Otaibi Harbi Ghamdi Zahrani Qahtani Mutairi Shammari Najjar Khatib Jaber Awad Osman "
        "Farouk Aziz Rahman Darwish Sharif".split(),
    ),
    "chinese": (
        "Wei Fang Min Jing Li Qiang Lei Jun Yang Yong Yan Jie Tao Ming Chao Xiuying Guiying Jianhua Jianjun Haiyan "
        "Guilan Xiulan Hui Lin Hong Ping Xiaoming Zhiqiang Dongmei Jianguo Weidong Xiaoping Haifeng".split(),
        "Wang Li Zhang Liu Chen Yang Huang Zhao Wu Zhou Xu Sun Ma Zhu Hu Guo He Lin Gao Luo Zheng Liang Song Tang "
        "Han Feng Deng Cao Peng Zeng".split(),
    ),
    "rwandan": (
        "Jean-Baptiste Jean Baptiste|Jean de Dieu|Jean Claude|Jean Pierre|Jean Paul|Jean Bosco|Marie Claire|"
        "Emmanuel|Eric|Patrick|Olivier|Claude|Innocent|Theogene|Felicien|Alphonse|Augustin|Evariste|Faustin|"
        "Joseph|Pascal|Samuel|Vincent|Aimable|Celestin|Dieudonne|Alice|Claudine|Chantal|Beatrice|Jeanne|Josiane|"
        "Immaculee|Esperance|Vestine|Divine|Grace|Solange|Marie Rose".split("|"),
        "Uwimana Mukamana Habimana Niyonzima Nsengiyumva Uwase Ishimwe Iradukunda Mugisha Niyonsaba Hakizimana "
        "Nkurunziza Mugabo Ndayisaba Nshimiyimana Bizimana Tuyisenge Uwamahoro Mukeshimana Niyitegeka Munyaneza "
        "Ntakirutimana Mutoni Ingabire Kamanzi Rukundo Mutabazi Kayitesi Kalisa Karangwa Nzabonimana "
        "Twizeyimana".split(),
    ),
    "east_african": (
        "Peter John Joseph Moses David Samuel Daniel Grace Mary Rehema Juma Hamisi Baraka Neema Amani Zawadi "
        "Rashidi Athumani".split(),
        "Kamau Mwangi Njoroge Otieno Ochieng Odhiambo Mutua Kiprop Cheruiyot Okello Mugisha Tumusiime "
        "Byaruhanga Kato Nakato Wafula Wekesa Juma Hamisi Mwita".split(),
    ),
    "french": (
        "Jean|Pierre|Michel|Philippe|Alain|Bernard|Jacques|Nicolas|Christophe|Eric|Laurent|Francois|Olivier|"
        "Xavier|Marie|Nathalie|Isabelle|Sylvie|Catherine|Sophie|Helene|Claire|Jean-Luc|Jean-Pierre|Marie-Claire|"
        "Marie-Helene|Gerard|Lucien".split("|"),
        "Martin Bernard Thomas Petit Robert Richard Durand Dubois Moreau Laurent Simon Michel Lefebvre Leroy Roux "
        "David Bertrand Morel Fournier Girard Bonnet Dupont Lambert Fontaine Rousseau Vincent Mercier "
        "Blanc".split(),
    ),
}

# Businesses a sending agent sees: generic trade words with places, as Rwandan and Gulf firms are named.
BUSINESSES = [
    "Bank of Kigali", "Kigali Trading Company Ltd", "Great Lakes Transport", "Kivu Minerals Ltd",
    "Shanghai Shipping Co., Ltd.", "Al-Noor Exchange Company", "Dubai Gold Trading LLC", "East Africa Logistics Ltd",
    "Rwanda Charitable Foundation", "Imari Holdings Ltd", "Nyabugogo General Trading", "Gulf Freight Services",
    "Africa Mining Corporation", "Phoenix Trading Company", "Musanze Coffee Exporters", "Huye Mining Company",
    "Kigali Logistics Holdings Ltd", "Great Lakes Exchange Bureau", "Zhejiang Import Export Co., Ltd.",
    "Rubavu Fish Traders", "Al-Amin Money Transfer", "Umubano Foundation",
]


def _tokens(text: str) -> set[str]:
    return {w.strip(".,").casefold() for w in text.replace("-", " ").split()}


def _pool_tokens() -> set[str]:
    out: set[str] = set()
    for given, family in POOLS.values():
        for name in given + family:
            out |= _tokens(name)
    return out


def is_clean(text: str, entries: list[Listed], listed_tokens: dict[str, set[str]]) -> bool:
    """A negative shares with a listed name only words from the common-name pools, and never all its words."""
    words = _tokens(text)
    common = _pool_tokens()
    for entry in entries:
        shared = words & listed_tokens[entry.ref]
        if shared - common or (shared and shared == listed_tokens[entry.ref]):
            return False
    return True


def ordinary(culture: str, count: int, rng: random.Random) -> list[tuple[str, str]]:
    given, family = POOLS[culture]
    out = []
    for _ in range(count):
        parts = [rng.choice(given)]
        if culture == "cyrillic" and rng.random() < 0.4:
            parts.append(rng.choice(given[:20]).rstrip("ay") + "ovich")  # a patronymic from a man's name
        name = f"{rng.choice(family)} {parts[0]}" if culture == "chinese" else f"{' '.join(parts)} {rng.choice(family)}"
        if culture == "rwandan" and rng.random() < 0.3:
            name = f"{rng.choice(family)} {parts[0]}"  # the Kinyarwanda name first
        out.append((name, f"ordinary {culture.replace('_', ' ')} name from the most frequent names"))
    return out


def sharing(entry: Listed, listed_primary: str, rng: random.Random) -> list[tuple[str, str]]:
    """The listed person's common given names with a common family name of the same population."""
    given, family = POOLS.get(entry.culture, POOLS["french"])
    common = _pool_tokens()
    kept = [w for w in listed_primary.replace(",", " ").split() if w.casefold() in common]
    if not kept or entry.culture == "entity":
        return []
    out = []
    for surname in rng.sample(family, 2):
        name = f"{surname} {' '.join(kept)}" if entry.culture == "chinese" else f"{' '.join(kept)} {surname}"
        out.append((name, f"shares the common name(s) {' '.join(kept)} with {entry.ref}, nothing else"))
    return out


def look_alikes(entry: Listed) -> list[tuple[str, str]]:
    return [(name, f"a real family name close to the one of {entry.ref}: a different person")
            for name in LOOK_ALIKES.get(entry.ref, [])]
