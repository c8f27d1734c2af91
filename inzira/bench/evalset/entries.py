"""The evaluation list: fictional listed parties, each written once in the form its variants start from.

Every person and entity here is invented for Inzira's evaluation; none is, or is meant to be, a real person
or organisation. The first seventeen are the demo's sample list (inzira/remit/data/sanctions-sample.xml);
the others add what a real list holds from the regions a Rwandan remittance service deals with: Russian
names with patronymics, Arabic names with nasab and nisba, Chinese names, Rwandan and East African names
(a Kinyarwanda name beside French compound given names), French double surnames, and entities.

Individuals mix common given names (Mohammed, Jean-Baptiste, Sergei, Jianguo) with rarer family names, as
real lists do; a few are made of common names only (the Chinese ones), the hardest case for screening.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Listed:
    ref: str  # the list's reference number
    culture: str  # cyrillic, arabic, chinese, rwandan, east_african, french, entity
    # cyrillic: "Имя Отчество Фамилия"; arabic: scholarly words; chinese: "surname|gi.ven"; others: the name
    source: str
    dob: str = ""  # ISO date or year
    nationality: str = ""
    aliases: tuple[str, ...] = ()  # as the list writes them
    low_aliases: tuple[str, ...] = ()  # "Low" quality aliases
    script: str = ""  # the name in its original script, where the list has it
    given: int = 1  # how many leading words of `source` are given names (rwandan, east_african, french)


SAMPLE = [
    Listed("ZZi.001", "arabic", "muHammad yuusuf qarzaaniithii", "1971-03-14", "Examplia",
           ("Mohammed Youssef Karzanithi", "Abu Yusuf al-Qarzanithi"), ("Abu Yusuf",), "محمد يوسف قرزانيثي"),
    Listed("ZZi.002", "cyrillic", "Александр Витальевич Фиктивников", "1968", "Nowhereland",
           ("Alexander Fiktivnikoff", "Sasha Fiktivnikov")),
    Listed("ZZi.003", "cyrillic", "Сергей Николаевич Примеров", "1959", "Nowhereland",
           ("Sergey Primerov", "Serguei Nikolaïevitch Primerov"), ("Seryozha",)),
    Listed("ZZi.004", "arabic", "khaalid Hasan al-mithaalii", "1980-07-01", "Examplia",
           ("Khaled Hasan el-Mithali", "Halid Hassan Mithaly"), (), "خالد حسن المثالي"),
    Listed("ZZi.005", "arabic", "`umar `abd al-raHmaan al-wahmii", "1965", "Examplia",
           ("Umar Abd al-Rahman al-Wahmi",), ("Abu Omar",), "عمر عبد الرحمن الوهمي"),
    Listed("ZZi.006", "cyrillic", "Евгений Фёдорович Вымыслов", "1962-12-30", "Nowhereland",
           ("Evgeni Fedorovitch Wymyslow", "Jewgeni Fjodorowitsch Wymyslow")),
    Listed("ZZi.007", "rwandan", "Jean-Baptiste Fictif Sampulu", "1977", "Republic of Imaginaria",
           ("J.B. Sampulu",), ("Le Fantôme",), given=1),
    Listed("ZZi.008", "arabic", "ibraahiim qaasim takhayyulii", "1983-09-17", "Examplia",
           ("Ibraheem Kassem Takhayouli",), (), "إبراهيم قاسم تخيلي"),
    Listed("ZZi.009", "cyrillic", "Дмитрий Олегович Несуществующий", "1970", "Nowhereland",
           ("Dmitry Nesushchestvuyushchiy",)),
    Listed("ZZi.010", "french", "Philippe Xavier Imaginaire-Duprétend", "1974-04-04", "Republic of Imaginaria",
           ("Filip Ksavier Imaginaire",), given=2),
    Listed("ZZi.011", "cyrillic", "Мариам Эксемплова", "1986-01-21", "Nowhereland",
           ("Maryam Eksemplova", "Mariam Examplova")),
    Listed("ZZi.012", "arabic", "abuu bakr saalim Haamid al-zayfaanii", "1979-10-05", "Examplia",
           ("Abubakar Salim Zaifani", "Abu Bakr al-Zayfani", "Abou Bakr Zeyfani"), (), "أبو بكر سالم حامد الزيفاني"),
    Listed("ZZe.001", "entity", "EXAMPLIA PHANTOM TRADING COMPANY",
           aliases=("EPTC", "Phantom Trading Co.", "Examplia Ghost Exports")),
    Listed("ZZe.002", "entity", "FICTITIOUS LOGISTICS HOLDINGS LTD",
           aliases=("Fictitious Freight Ltd", "FLH Imaginary Logistics")),
    Listed("ZZe.003", "entity", "BANK OF ZZYXIA", aliases=("Zzyxia Imaginary Bank",)),
    Listed("ZZe.004", "entity", "AL-WAHMI CHARITABLE FOUNDATION", aliases=("Wahmi Foundation", "Al-Wahmi")),
    Listed("ZZe.005", "entity", "NONEXISTENT MINING CORPORATION", aliases=("NMC",)),
]

MORE = [
    # Russian and Ukrainian names, with patronymics
    Listed("EVi.101", "cyrillic", "Юрий Геннадьевич Задорожнюк", "1966-05-02", "Nowhereland"),
    Listed("EVi.102", "cyrillic", "Владимир Ильич Хвостопадов", "1958", "Nowhereland"),
    Listed("EVi.103", "cyrillic", "Ольга Сергеевна Жемчуговская", "1981-11-19", "Nowhereland"),
    Listed("EVi.104", "cyrillic", "Игорь Вячеславович Щербатюк", "1973", "Nowhereland"),
    Listed("EVi.105", "cyrillic", "Николай Петрович Ёлкин-Бережной", "1969-08-08", "Nowhereland"),
    Listed("EVi.106", "cyrillic", "Андрей Анатольевич Цыплаковский", "1977-02-27", "Nowhereland"),
    Listed("EVi.107", "cyrillic", "Татьяна Юрьевна Чуприкова", "1984", "Nowhereland"),
    Listed("EVi.108", "cyrillic", "Алексей Борисович Хлыстунов", "1971-06-30", "Nowhereland"),
    Listed("EVi.109", "cyrillic", "Ксения Викторовна Бельдыгина", "1990-03-03", "Nowhereland"),
    # Arabic names: given name, father's name, sometimes grandfather's, and a family name or nisba
    Listed("EVi.201", "arabic", "`abd allaah maHmuud al-dhuhaybaawii", "1975", "Examplia"),
    Listed("EVi.202", "arabic", "yuusuf `abd al-`aziiz al-shuqayraawii", "1968-01-15", "Examplia"),
    Listed("EVi.203", "arabic", "Haamid saalim al-qutaybaanii", "1982-04-12", "Examplia"),
    Listed("EVi.204", "arabic", "faaTima `aliyy al-khuzaymii", "1987", "Examplia"),
    Listed("EVi.205", "arabic", "`aliyy Husayn jaabir al-ghuSnawii", "1970-09-09", "Examplia"),
    Listed("EVi.206", "arabic", "Taariq ziyaad al-maghaawirii", "1979", "Examplia"),
    Listed("EVi.207", "arabic", "khaliil ibraahiim al-ruwayshidii", "1963-12-01", "Examplia"),
    Listed("EVi.208", "arabic", "sa`iid maHmuud al-baTTaaHii", "1985-07-21", "Examplia"),
    Listed("EVi.209", "arabic", "muSTafaa kamaal al-dujaylii", "1961", "Examplia"),
    Listed("EVi.210", "arabic", "naaSir `abd al-qaadir al-zawbaqii", "1976-10-30", "Examplia"),
    Listed("EVi.211", "arabic", "usaama `awwaad al-shakhaanibii", "1980", "Examplia"),
    Listed("EVi.212", "arabic", "zaynab `umar al-Hudhayfii", "1989-02-14", "Examplia"),
    # Chinese names: surname | given name syllables; common names only, the hardest case
    Listed("EVi.301", "chinese", "xie|jian.guo", "1962-03-01", "Nowhereland", script="谢建国"),
    Listed("EVi.302", "chinese", "qu|wei.dong", "1970", "Nowhereland", script="曲卫东"),
    Listed("EVi.303", "chinese", "gong|xiao.ping", "1966-06-06", "Nowhereland", script="龚晓平"),
    Listed("EVi.304", "chinese", "mo|zhi.qiang", "1978-12-12", "Nowhereland", script="莫志强"),
    Listed("EVi.305", "chinese", "zhuo|hai.feng", "1981", "Nowhereland", script="卓海峰"),
    Listed("EVi.306", "chinese", "xiang|ying.hua", "1974-08-15", "Nowhereland", script="向英华"),
    Listed("EVi.307", "chinese", "qiu|zhen.yu", "1969-01-20", "Nowhereland", script="邱振宇"),
    Listed("EVi.308", "chinese", "jiang|xue.qin", "1983-05-05", "Nowhereland", script="蒋雪琴"),
    Listed("EVi.309", "chinese", "zhan|si.yuan", "1977", "Nowhereland", script="詹思远"),
    Listed("EVi.310", "chinese", "rong|jun.chao", "1986-09-30", "Nowhereland", script="荣俊超"),
    # Rwandan and East African names: French compound given names beside a Kinyarwanda, Kirundi,
    # Luganda, Kalenjin or Swahili name
    Listed("EVi.401", "rwandan", "Jean de Dieu Ntawiheba", "1972", "Republic of Imaginaria", given=1),
    Listed("EVi.402", "rwandan", "Marie Claire Nyirabikwiye", "1980-02-11", "Republic of Imaginaria", given=1),
    Listed("EVi.403", "rwandan", "Jean Bosco Kanyandekwe", "1966", "Republic of Imaginaria", given=1),
    Listed("EVi.404", "rwandan", "Félicien Karekezi Rubayiza", "1969-10-10", "Republic of Imaginaria", given=1),
    Listed("EVi.405", "rwandan", "Innocent Nsengimana Gakwaya", "1975-04-18", "Republic of Imaginaria", given=1),
    Listed("EVi.406", "rwandan", "Alphonse Munyarugendo", "1960", "Republic of Imaginaria", given=1),
    Listed("EVi.407", "rwandan", "Josiane Uwamwezi Kabatesi", "1988-06-01", "Republic of Imaginaria", given=1),
    Listed("EVi.408", "rwandan", "Evariste Ndabarasa Mbonyingabo", "1971", "Republic of Imaginaria", given=1),
    Listed("EVi.409", "rwandan", "Immaculée Mukarugwiza", "1983-03-25", "Republic of Imaginaria", given=1),
    Listed("EVi.410", "rwandan", "Jean Pierre Habyambere Rukeribuga", "1964", "Republic of Imaginaria", given=1),
    Listed("EVi.411", "east_african", "Peter Kiprotich Chemwolo", "1976-07-07", "Nowhereland", given=1),
    Listed("EVi.412", "east_african", "Moses Tumwesigye Byamukama", "1979", "Nowhereland", given=1),
    Listed("EVi.413", "east_african", "Rehema Hamisi Mchopanga", "1985-11-11", "Nowhereland", given=1),
    # French names: compound given names, double surnames
    Listed("EVi.501", "french", "Jean-Luc Fantômard", "1967-01-09", "Republic of Imaginaria", given=1),
    Listed("EVi.502", "french", "Marie-Hélène Chimérat", "1972-12-24", "Republic of Imaginaria", given=1),
    Listed("EVi.503", "french", "François Bérenger Illusoire", "1959", "Republic of Imaginaria", given=2),
    Listed("EVi.504", "french", "Hélène Sophie Desfaux-Brumel", "1980-05-15", "Republic of Imaginaria", given=2),
    Listed("EVi.505", "french", "Gérard Lucien Pastouret", "1955", "Republic of Imaginaria", given=2),
    # entities
    Listed("EVe.601", "entity", "KIVU PHANTOM MINERALS SARL", aliases=("Kivu Phantom Minerals",)),
    Listed("EVe.602", "entity", "GREAT LAKES FICTIONAL TRANSPORT LTD", aliases=("GLFT",)),
    Listed("EVe.603", "entity", "SHANGHAI IMAGINARY SHIPPING CO., LTD.", aliases=("Imaginary Shipping",)),
    Listed("EVe.604", "entity", "AL-SURAAB EXCHANGE COMPANY", aliases=("Suraab Exchange", "Sarab Exchange")),
]

ENTRIES: list[Listed] = SAMPLE + MORE

# Look-alikes an analyst clears: real, common family names one or two letters from a listed rarer name,
# paired with the listed person's given names (the Sergey Primakov among them).
LOOK_ALIKES: dict[str, list[str]] = {
    "ZZi.003": ["Sergey Primakov", "Sergei Nikolaevich Primakov"],
    "ZZi.002": ["Aleksandr Fiktin", "Alexander Vitalievich Fedotov"],
    "ZZi.006": ["Yevgeny Vysotsky", "Evgeni Fedorovich Vlasov"],
    "ZZi.011": ["Mariam Eksler", "Mariam Semenova"],
    "ZZi.004": ["Khalid Hassan al-Mutairi", "Khaled Hassan Mithqal"],
    "ZZi.001": ["Mohammed Yusuf Qureshi", "Muhammad Yusuf Qaradawi"],
    "EVi.101": ["Yuri Gennadievich Zadorin", "Yuri Zhadovsky"],
    "EVi.104": ["Igor Shcherbakov", "Igor Vyacheslavovich Shcherbina"],
    "EVi.108": ["Aleksei Borisovich Khlystov", "Alexei Khlopunov"],
    "EVi.203": ["Hamid Salim al-Qahtani", "Hamid Salem Qutb"],
    "EVi.207": ["Khalil Ibrahim al-Rashidi", "Khalil Ibrahim Rawashdeh"],
    "EVi.401": ["Jean de Dieu Ntawukuriryayo", "Jean de Dieu Ntahobari"],
    "EVi.403": ["Jean Bosco Kanyamibwa", "Jean Bosco Nyandwi"],
    "EVi.406": ["Alphonse Munyaneza", "Alphonse Munyakazi"],
    "EVi.501": ["Jean-Luc Fontaine", "Jean-Luc Fantin"],
    "ZZi.010": ["Philippe Xavier Dupont", "Philippe Xavier Dupré"],
    "ZZi.007": ["Jean-Baptiste Sampaio", "Jean Baptiste Simpunga"],
}
