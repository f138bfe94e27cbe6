"""Raw material for realistic, multilingual, deterministic demo data.

A CRM looks empty and unconvincing with "Test 1", "Test 2" rows, and bugs in sorting, searching, width
calculation and email generation only show up with real-world names: particles ("van der Berg"), umlauts and
ß, apostrophes, Han characters and right-to-left Arabic script.  This module holds plain data pools for that
plus a few pure helpers.  The demo generator picks from these pools with a seeded ``random.Random`` so the
same seed always yields the same database.

Standard library only: no UI or database imports belong here.
"""

import random
import re
import unicodedata

# ---------------------------------------------------------------------------------------------------------------
# Locales
# ---------------------------------------------------------------------------------------------------------------

LOCALES: tuple[str, ...] = ("nl", "en", "de", "zh", "ar")
LOCALE_WEIGHTS: tuple[int, ...] = (25, 35, 20, 10, 10)

# ---------------------------------------------------------------------------------------------------------------
# People
# ---------------------------------------------------------------------------------------------------------------

FIRST_NAMES: dict[str, tuple[str, ...]] = {
    "nl": (
        "Daan", "Sem", "Lucas", "Levi", "Finn", "Jesse", "Bram", "Thijs", "Ruben", "Sander",
        "Jeroen", "Maarten", "Pieter", "Joris", "Wouter", "Bas", "Niels", "Koen", "Stijn", "Gijs",
        "Joost", "Emma", "Sophie", "Julia", "Anna", "Lotte", "Eva", "Fleur", "Sanne", "Lisa",
        "Iris", "Femke", "Anouk", "Marieke", "Annelies", "Mirjam", "Noor", "Saskia", "Esther", "Inge",
        "Maud", "Zoë", "Daniëlle", "Chloë",
    ),
    "en": (
        "James", "Oliver", "William", "Jack", "Harry", "Thomas", "Michael", "David", "Daniel", "Matthew",
        "Ryan", "Sean", "Liam", "Conor", "Patrick", "Ethan", "Noah", "Benjamin", "Samuel", "George",
        "Olivia", "Emma", "Charlotte", "Amelia", "Sophia", "Emily", "Grace", "Chloe", "Hannah", "Sarah",
        "Jessica", "Megan", "Aoife", "Siobhan", "Niamh", "Ciara", "Rachel", "Lucy", "Madison", "Ashley",
        "Jennifer", "Sinéad", "Róisín",
    ),
    "de": (
        "Lukas", "Leon", "Maximilian", "Felix", "Jonas", "Paul", "Elias", "Tobias", "Sebastian", "Florian",
        "Jörg", "Jürgen", "Stefan", "Thomas", "Michael", "Andreas", "Matthias", "Uwe", "Klaus", "Björn",
        "Sören", "Günter", "Anna", "Lena", "Lea", "Hannah", "Sophie", "Marie", "Laura", "Katharina",
        "Julia", "Sabine", "Ursula", "Monika", "Petra", "Birgit", "Claudia", "Jana", "Annika", "Mia",
        "Jürgen-Peter", "Anneliese", "Käthe",
    ),
    "zh": (
        "伟", "芳", "秀英", "静", "娜", "敏", "丽", "强", "磊", "军",
        "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀兰", "霞",
        "平", "刚", "桂英", "建华", "志强", "晓明", "俊杰", "婷婷", "雪", "浩然",
        "子轩", "欣怡", "宇航", "思远", "佳怡", "文博", "梓涵", "一鸣", "慧敏", "海燕",
        "国强", "玉兰",
    ),
    "ar": (
        "محمد", "فاطمة", "أحمد", "علي", "عمر", "خالد", "يوسف", "حسن", "حسين", "إبراهيم",
        "مصطفى", "سارة", "مريم", "نور", "ليلى", "عائشة", "زينب", "خديجة", "هدى", "ياسمين",
        "رنا", "سلمى", "دينا", "هبة", "رشا", "أمل", "منى", "كريم", "طارق", "سامي",
        "نادر", "زياد", "وليد", "فيصل", "سعيد", "ماجد", "هشام", "جمال", "رامي", "ريم",
        "لينا", "نادية", "عبد الله", "عبد الرحمن",
    ),
}

LAST_NAMES: dict[str, tuple[str, ...]] = {
    "nl": (
        "de Jong", "Jansen", "de Vries", "van den Berg", "van der Berg", "van Dijk", "Bakker", "Janssen",
        "Visser", "Smit", "Meijer", "de Boer", "Mulder", "de Groot", "Bos", "Vos", "Peters", "Hendriks",
        "van Leeuwen", "Dekker", "Brouwer", "de Wit", "Dijkstra", "Smits", "de Graaf", "van der Meer",
        "van der Linden", "Kok", "Jacobs", "de Haan", "Vermeulen", "van den Heuvel", "van der Veen",
        "van den Broek", "de Bruijn", "van der Heijden", "Schouten", "van Beek", "Willems", "van Vliet",
        "van de Ven", "Hoekstra", "Verhoeven", "'t Hart", "IJzerman",
    ),
    "en": (
        "Smith", "Johnson", "Williams", "Brown", "Jones", "Taylor", "Davies", "Evans", "Wilson", "Thomas",
        "Roberts", "Walker", "Wright", "Robinson", "Thompson", "White", "Hughes", "Edwards", "Green", "Hall",
        "Wood", "Harris", "Clarke", "Jackson", "Martin", "Miller", "Davis", "Garcia", "Rodriguez", "Anderson",
        "Moore", "Lee", "O'Brien", "Murphy", "Kelly", "O'Sullivan", "Walsh", "Byrne", "O'Connor", "McCarthy",
        "Doyle", "Fitzgerald", "MacDonald", "Campbell", "Stewart", "Nguyen",
    ),
    "de": (
        "Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz",
        "Hoffmann", "Schäfer", "Koch", "Bauer", "Richter", "Klein", "Wolf", "Schröder", "Neumann", "Schwarz",
        "Zimmermann", "Braun", "Krüger", "Hofmann", "Hartmann", "Lange", "Schmitt", "Werner", "Schmitz",
        "Krause", "Meier", "Lehmann", "Köhler", "Herrmann", "König", "Walter", "Huber", "Kaiser", "Fuchs",
        "Weiß", "Groß", "Strauß", "Jäger", "Vogel", "von Bülow", "Schmidt-Hansen",
    ),
    "zh": (
        "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周",
        "徐", "孙", "马", "朱", "胡", "郭", "何", "林", "高", "罗",
        "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹",
        "彭", "曾", "肖", "田", "董", "潘", "袁", "蔡", "蒋", "叶",
        "欧阳", "司马",
    ),
    "ar": (
        "الحسن", "العلي", "حداد", "المنصوري", "الهاشمي", "الشامي", "الخطيب", "النجار", "العتيبي", "القحطاني",
        "الزهراني", "الدوسري", "الشمري", "المصري", "الحلبي", "الأنصاري", "البغدادي", "التميمي", "الكعبي",
        "الظاهري", "السويدي", "الفلاسي", "المهيري", "الجبوري", "العبيدي", "خوري", "صباغ", "سليمان", "عثمان",
        "يونس", "نصر", "عيسى", "منصور", "عوض", "شاهين", "جابر", "الحربي", "العمري", "السيد",
        "عبد الحميد", "درويش", "البنا",
    ),
}

# Latin spelling for every zh/ar name above, used to build plausible email addresses.
ROMANISED: dict[str, str] = {
    # Chinese given names
    "伟": "wei", "芳": "fang", "秀英": "xiuying", "静": "jing", "娜": "na", "敏": "min", "丽": "li",
    "强": "qiang", "磊": "lei", "军": "jun", "洋": "yang", "勇": "yong", "艳": "yan", "杰": "jie",
    "娟": "juan", "涛": "tao", "明": "ming", "超": "chao", "秀兰": "xiulan", "霞": "xia", "平": "ping",
    "刚": "gang", "桂英": "guiying", "建华": "jianhua", "志强": "zhiqiang", "晓明": "xiaoming",
    "俊杰": "junjie", "婷婷": "tingting", "雪": "xue", "浩然": "haoran", "子轩": "zixuan", "欣怡": "xinyi",
    "宇航": "yuhang", "思远": "siyuan", "佳怡": "jiayi", "文博": "wenbo", "梓涵": "zihan", "一鸣": "yiming",
    "慧敏": "huimin", "海燕": "haiyan", "国强": "guoqiang", "玉兰": "yulan",
    # Chinese family names
    "王": "wang", "李": "li", "张": "zhang", "刘": "liu", "陈": "chen", "杨": "yang", "黄": "huang",
    "赵": "zhao", "吴": "wu", "周": "zhou", "徐": "xu", "孙": "sun", "马": "ma", "朱": "zhu", "胡": "hu",
    "郭": "guo", "何": "he", "林": "lin", "高": "gao", "罗": "luo", "郑": "zheng", "梁": "liang",
    "谢": "xie", "宋": "song", "唐": "tang", "许": "xu", "韩": "han", "冯": "feng", "邓": "deng",
    "曹": "cao", "彭": "peng", "曾": "zeng", "肖": "xiao", "田": "tian", "董": "dong", "潘": "pan",
    "袁": "yuan", "蔡": "cai", "蒋": "jiang", "叶": "ye", "欧阳": "ouyang", "司马": "sima",
    # Arabic given names
    "محمد": "mohammed", "فاطمة": "fatima", "أحمد": "ahmed", "علي": "ali", "عمر": "omar", "خالد": "khaled",
    "يوسف": "youssef", "حسن": "hassan", "حسين": "hussein", "إبراهيم": "ibrahim", "مصطفى": "mostafa",
    "سارة": "sara", "مريم": "mariam", "نور": "nour", "ليلى": "layla", "عائشة": "aisha", "زينب": "zainab",
    "خديجة": "khadija", "هدى": "huda", "ياسمين": "yasmin", "رنا": "rana", "سلمى": "salma", "دينا": "dina",
    "هبة": "heba", "رشا": "rasha", "أمل": "amal", "منى": "mona", "كريم": "karim", "طارق": "tariq",
    "سامي": "sami", "نادر": "nader", "زياد": "ziad", "وليد": "walid", "فيصل": "faisal", "سعيد": "saeed",
    "ماجد": "majed", "هشام": "hisham", "جمال": "jamal", "رامي": "rami", "ريم": "reem", "لينا": "lina",
    "نادية": "nadia", "عبد الله": "abdullah", "عبد الرحمن": "abdulrahman",
    # Arabic family names
    "الحسن": "alhassan", "العلي": "alali", "حداد": "haddad", "المنصوري": "almansouri",
    "الهاشمي": "alhashimi", "الشامي": "alshami", "الخطيب": "alkhatib", "النجار": "alnajjar",
    "العتيبي": "alotaibi", "القحطاني": "alqahtani", "الزهراني": "alzahrani", "الدوسري": "aldosari",
    "الشمري": "alshammari", "المصري": "almasri", "الحلبي": "alhalabi", "الأنصاري": "alansari",
    "البغدادي": "albaghdadi", "التميمي": "altamimi", "الكعبي": "alkaabi", "الظاهري": "aldhaheri",
    "السويدي": "alsuwaidi", "الفلاسي": "alfalasi", "المهيري": "almheiri", "الجبوري": "aljubouri",
    "العبيدي": "alobaidi", "خوري": "khoury", "صباغ": "sabbagh", "سليمان": "suleiman", "عثمان": "othman",
    "يونس": "younes", "نصر": "nasr", "عيسى": "issa", "منصور": "mansour", "عوض": "awad", "شاهين": "shahin",
    "جابر": "jaber", "الحربي": "alharbi", "العمري": "alomari", "السيد": "elsayed",
    "عبد الحميد": "abdelhamid", "درويش": "darwish", "البنا": "albanna",
}

# ---------------------------------------------------------------------------------------------------------------
# Places and phone numbers
# ---------------------------------------------------------------------------------------------------------------

CITIES: dict[str, tuple[tuple[str, str, str], ...]] = {
    "nl": (
        ("Amsterdam", "Noord-Holland", "NL"), ("Rotterdam", "Zuid-Holland", "NL"), ("Utrecht", "Utrecht", "NL"),
        ("Den Haag", "Zuid-Holland", "NL"), ("Eindhoven", "Noord-Brabant", "NL"), ("Groningen", "Groningen", "NL"),
        ("Haarlem", "Noord-Holland", "NL"), ("'s-Hertogenbosch", "Noord-Brabant", "NL"),
        ("Maastricht", "Limburg", "NL"), ("Leiden", "Zuid-Holland", "NL"), ("Zwolle", "Overijssel", "NL"),
        ("Antwerpen", "Antwerpen", "BE"), ("Gent", "Oost-Vlaanderen", "BE"),
    ),
    "en": (
        ("London", "England", "GB"), ("Manchester", "England", "GB"), ("Bristol", "England", "GB"),
        ("Edinburgh", "Scotland", "GB"), ("New York", "New York", "US"), ("San Francisco", "California", "US"),
        ("Boston", "Massachusetts", "US"), ("Chicago", "Illinois", "US"), ("Austin", "Texas", "US"),
        ("Dublin", "Leinster", "IE"), ("Cork", "Munster", "IE"), ("Toronto", "Ontario", "CA"),
    ),
    "de": (
        ("Berlin", "Berlin", "DE"), ("München", "Bayern", "DE"), ("Hamburg", "Hamburg", "DE"),
        ("Köln", "Nordrhein-Westfalen", "DE"), ("Frankfurt am Main", "Hessen", "DE"),
        ("Stuttgart", "Baden-Württemberg", "DE"), ("Düsseldorf", "Nordrhein-Westfalen", "DE"),
        ("Leipzig", "Sachsen", "DE"), ("Zürich", "Zürich", "CH"), ("Basel", "Basel-Stadt", "CH"),
        ("Wien", "Wien", "AT"), ("Graz", "Steiermark", "AT"),
    ),
    "zh": (
        ("上海", "上海", "CN"), ("北京", "北京", "CN"), ("深圳", "广东", "CN"), ("广州", "广东", "CN"),
        ("杭州", "浙江", "CN"), ("成都", "四川", "CN"), ("南京", "江苏", "CN"), ("苏州", "江苏", "CN"),
        ("武汉", "湖北", "CN"), ("台北", "台北", "TW"), ("香港", "香港", "HK"), ("新加坡", "新加坡", "SG"),
    ),
    "ar": (
        ("دبي", "دبي", "AE"), ("أبوظبي", "أبوظبي", "AE"), ("القاهرة", "القاهرة", "EG"),
        ("الإسكندرية", "الإسكندرية", "EG"), ("الرياض", "منطقة الرياض", "SA"), ("جدة", "منطقة مكة المكرمة", "SA"),
        ("عمّان", "عمّان", "JO"), ("الدوحة", "الدوحة", "QA"), ("مدينة الكويت", "العاصمة", "KW"),
        ("بيروت", "بيروت", "LB"), ("مسقط", "مسقط", "OM"), ("الدار البيضاء", "الدار البيضاء-سطات", "MA"),
    ),
}

STREETS: dict[str, tuple[str, ...]] = {
    "nl": (
        "Keizersgracht", "Herengracht", "Prinsengracht", "Damrak", "Coolsingel", "Oudegracht", "Stationsstraat",
        "Kerkstraat", "Dorpsstraat", "Lange Voorhout", "Witte de Withstraat", "Grote Markt", "Vrijthof", "Meir",
    ),
    "en": (
        "Baker Street", "High Street", "Oxford Street", "King's Road", "Deansgate", "Princes Street",
        "Fifth Avenue", "Broadway", "Market Street", "Main Street", "Congress Avenue", "Grafton Street",
        "O'Connell Street", "Queen Street West",
    ),
    "de": (
        "Hauptstraße", "Bahnhofstraße", "Kurfürstendamm", "Friedrichstraße", "Königsallee", "Maximilianstraße",
        "Schillerstraße", "Goethestraße", "Mönckebergstraße", "Zeil", "Lindenstraße", "Am Markt",
        "Bahnhofstrasse", "Mariahilfer Straße",
    ),
    "zh": (
        "南京路", "淮海中路", "长安街", "王府井大街", "深南大道", "中山路", "人民路", "解放路",
        "天河路", "文三路", "春熙路", "忠孝东路", "皇后大道中",
    ),
    "ar": (
        "شارع الملك فهد", "شارع الشيخ زايد", "شارع التحرير", "شارع الحمراء", "شارع الرينبو", "شارع العليا",
        "شارع جامعة الدول العربية", "شارع الملك عبدالعزيز", "شارع الكورنيش", "شارع طلعت حرب",
        "شارع السلطان قابوس", "شارع الجامعة",
    ),
}

# "#" is replaced by a random digit, see fill_digits().
PHONE_FORMATS: dict[str, tuple[str, ...]] = {
    "nl": (
        "+31 6 #### ####", "+31 6 #### ####", "+31 20 ### ####", "+31 10 ### ####", "+31 30 ### ####",
        "+31 40 ### ####", "+32 4## ## ## ##",
    ),
    "en": (
        "+44 20 #### ####", "+44 7### ######", "+44 161 ### ####", "+1 212 ### ####", "+1 415 ### ####",
        "+1 617 ### ####", "+353 1 ### ####", "+353 8# ### ####",
    ),
    "de": (
        "+49 30 #######", "+49 89 #######", "+49 40 #######", "+49 151 ########", "+49 171 #######",
        "+41 44 ### ## ##", "+43 1 ### ####",
    ),
    "zh": (
        "+86 138 #### ####", "+86 139 #### ####", "+86 21 #### ####", "+86 10 #### ####", "+86 755 #### ####",
        "+886 2 #### ####", "+852 #### ####",
    ),
    "ar": (
        "+971 50 ### ####", "+971 4 ### ####", "+20 10 #### ####", "+20 2 #### ####", "+966 5# ### ####",
        "+962 7# ### ####", "+974 #### ####",
    ),
}

# ---------------------------------------------------------------------------------------------------------------
# Companies and email
# ---------------------------------------------------------------------------------------------------------------

COMPANY_STEMS: dict[str, tuple[str, ...]] = {
    "nl": (
        "Noordzee", "Polderwijk", "Oranjehof", "Molenaar", "Tulpveld", "Deltawerk", "Grachtenhuis", "Windkracht",
        "Lindeboom", "Hollandse Hoeve", "Vechtdal", "IJsselstroom", "Veluwe", "Waddenzee", "Rijnmond",
        "Amstelland", "Duinzicht", "Bloemendaal", "Hanzestad", "Zuiderzee", "De Kroon", "Dijkgraaf",
    ),
    "en": (
        "Blue Harbor", "Northwind", "Redwood", "Silver Birch", "Summit", "Ironbridge", "Brightwater",
        "Oakridge", "Kingsley", "Thistle", "Granite Peak", "Harbourside", "Clearview", "Evergreen", "Riverside",
        "Lighthouse", "Maple & Finch", "Cobalt", "Shamrock", "Pinecrest", "Atlas", "Beacon Hill",
    ),
    "de": (
        "Rheinwerk", "Alpenblick", "Nordlicht", "Schwarzwald", "Elbtal", "Bergmann", "Donau", "Hanse",
        "Sonnenhof", "Eichenlaub", "Brückner", "Isartal", "Waldmeister", "Lindenbaum", "Edelweiß", "Mainufer",
        "Ostsee", "Zugspitze", "Rotbuche", "Kranich", "Spreeblick", "Weißdorn",
    ),
    "zh": (
        "华信", "恒达", "鑫源", "瑞丰", "东方", "金桥", "天元", "博远", "盛世", "宏图", "新锐",
        "联创", "汇通", "云帆", "星辰", "嘉禾", "华安", "永利", "致远", "明德", "泰和", "海川",
    ),
    "ar": (
        "النخبة", "الرواد", "الأفق", "الخليج", "النور", "الصقر", "الواحة", "الفجر", "الريادة", "المستقبل",
        "الأمل", "الإتقان", "السلام", "البيان", "الهلال", "الجزيرة", "النخيل", "الشروق", "الوفاء", "الإبداع",
        "الياسمين", "القمة",
    ),
}

COMPANY_SUFFIXES: dict[str, tuple[str, ...]] = {
    "nl": ("B.V.", "B.V.", "B.V.", "N.V.", "& Zn.", "V.O.F.", "Groep", "Holding B.V."),
    "en": ("Ltd", "Ltd", "Inc.", "Inc.", "LLC", "plc", "Group", "& Co.", "Partners", "Corp."),
    "de": ("GmbH", "GmbH", "GmbH", "AG", "GmbH & Co. KG", "KG", "e.K.", "SE", "Gruppe"),
    "zh": ("有限公司", "科技有限公司", "贸易有限公司", "物流有限公司", "股份有限公司", "集团", "咨询有限公司"),
    "ar": (
        "ش.م.م", "ذ.م.م", "للتجارة ذ.م.م", "القابضة", "للتقنية ش.م.م", "للاستشارات", "للخدمات اللوجستية",
        "ش.م.ع",
    ),
}

# Optional middle word for en/nl/de company names, e.g. "Noordzee Logistics B.V.".
INDUSTRY_WORDS: tuple[str, ...] = (
    "Logistics", "Software", "Foods", "Energy", "Consulting", "Systems", "Solutions", "Analytics", "Media",
    "Design", "Engineering", "Robotics", "Pharma", "Capital", "Labs", "Digital", "Textiles", "Packaging",
    "Construction", "Healthcare", "Retail", "Telecom", "Security", "Biotech", "Marine", "Automotive",
)

EMAIL_DOMAINS_FREE: tuple[str, ...] = (
    "gmail.com", "outlook.com", "web.de", "gmx.de", "163.com", "qq.com", "hotmail.com", "icloud.com",
    "proton.me", "ziggo.nl",
)

# ---------------------------------------------------------------------------------------------------------------
# CRM vocabulary
# ---------------------------------------------------------------------------------------------------------------

TITLES: tuple[str, ...] = (
    "CEO", "CTO", "CFO", "COO", "Managing Director", "Founder", "Co-founder", "Head of Procurement",
    "Head of Sales", "Head of Marketing", "Head of IT", "VP Engineering", "VP Operations", "Account Manager",
    "Key Account Manager", "Sales Representative", "Business Development Manager", "Purchasing Manager",
    "Office Manager", "Operations Manager", "Project Manager", "Product Manager", "Marketing Coordinator",
    "IT Administrator", "Software Engineer", "Financial Controller", "HR Manager", "Legal Counsel",
    "Customer Success Manager", "Executive Assistant",
)

TAGS: tuple[str, ...] = (
    "vip", "customer", "prospect", "partner", "supplier", "newsletter", "event-2026", "churn-risk", "reseller",
    "press", "investor", "beta",
)

DEAL_TITLES: tuple[str, ...] = (
    "{company} – annual licence renewal",
    "Pilot project for {company}",
    "{company} support contract",
    "{company} – 50 extra seats",
    "Onboarding package for {company}",
    "{company} – multi-year enterprise agreement",
    "Consulting engagement with {company}",
    "{company} hardware refresh",
    "Data migration for {company}",
    "{company} – premium support upgrade",
    "Training programme for {company}",
    "{company} expansion to second site",
    "Proof of concept – {company}",
    "{company} framework agreement 2026",
    "Custom integration for {company}",
    "{company} – cloud hosting",
    "Security audit for {company}",
    "{company} maintenance renewal",
    "Trade fair stand for {company}",
    "{company} – Q3 bulk order",
    "Website relaunch for {company}",
    "{company} reseller agreement",
    "Managed services for {company}",
    "{company} – add-on: reporting module",
    "Replacement of legacy system at {company}",
    "{company} – team licence upgrade",
    "Workshop series for {company}",
)

LOST_REASONS: tuple[str, ...] = (
    "Price too high", "Chose a competitor", "No budget", "Timing", "No decision", "Project cancelled",
    "Missing features", "Went with in-house solution", "Contact left the company", "Legal / compliance concerns",
    "Lost contact", "Merged with another company",
)

ACTIVITY_SUBJECTS: dict[str, tuple[str, ...]] = {
    "call": (
        "Intro call", "Follow-up on proposal", "Discovery call", "Check-in call", "Pricing discussion",
        "Call about renewal", "Reference call", "Support escalation call", "Callback re: invoice question",
        "Quick sync on timeline", "Negotiation call", "Left voicemail", "Call with procurement",
    ),
    "meeting": (
        "Quarterly business review", "Product demo", "Kick-off meeting", "On-site visit", "Contract negotiation",
        "Lunch meeting", "Workshop: requirements", "Steering committee", "Roadmap presentation",
        "Meeting at trade fair", "Executive sponsor meeting", "Implementation planning", "Year-end review",
    ),
    "email": (
        "Sent pricing sheet", "Sent proposal", "Sent meeting recap", "Shared case study", "Sent contract draft",
        "Introduced to colleague", "Replied to feature request", "Sent invoice copy", "Sent event invitation",
        "Answered security questionnaire", "Sent renewal reminder", "Thank-you email after visit",
        "Sent onboarding guide",
    ),
    "note": (
        "Budget approved for next year", "New decision maker", "Competitor also in the running",
        "Reorganisation announced", "Positive feedback on demo", "Concerns about pricing", "Moving offices",
        "Interested in API access", "Contract expires in March", "Prefers quarterly billing",
        "Referred by existing customer", "Procurement process takes ~6 weeks", "Asked for a discount",
    ),
    "task": (
        "Send contract draft", "Prepare demo", "Follow up on proposal", "Update pricing sheet",
        "Schedule quarterly review", "Book meeting room", "Send invoice", "Call back about renewal",
        "Draft onboarding plan", "Check references", "Prepare QBR slides", "Confirm dinner reservation",
        "Ask legal to review terms", "Send thank-you card",
    ),
}

ACTIVITY_BODIES: tuple[str, ...] = (
    "Went well. They want a formal proposal by Friday.",
    "No answer, left a voicemail. Will try again next week.",
    "Discussed the renewal. Main concern is the price increase.",
    "Demo went smoothly.\nThey liked the reporting features, asked about SSO.",
    "Agreed on a three-month pilot with two teams.",
    "CFO joined the call halfway through. Budget looks realistic.",
    "Sent the updated pricing sheet with the 10% volume discount.",
    "They are comparing us with two competitors.\nDecision expected end of quarter.",
    "Contract is with their legal department. Expect comments within two weeks.",
    "Asked for a reference customer in the same industry.",
    "Very positive meeting. Next step: workshop with the IT team.",
    "Invoice was paid late again; flagged with finance.",
    "Action items:\n- send recap\n- share roadmap\n- schedule follow-up",
    "New contact person after reorganisation; previous buyer moved to another role.",
    "Short check-in. Everything running fine, no open issues.",
    "They want to expand to their second office next year.",
    "Meeting moved to next Tuesday at their request.",
)

CONTACT_NOTES: tuple[str, ...] = (
    "Met at Web Summit 2025.",
    "Prefers email over phone.",
    "Vegetarian – remember for dinners.",
    "Decision maker for all IT purchases.",
    "Introduced by a mutual contact at a partner firm.",
    "On parental leave until September.",
    "Only available in the mornings.",
    "Big football fan, supports the local club.",
    "Speaks English, German and some Dutch.",
    "Former customer, came back after two years.",
    "Gatekeeper – go through the assistant for meetings.",
    "Very detail-oriented; send agendas in advance.",
    "Likes to be called by first name.",
    "Prefers WhatsApp for quick questions.",
    "Reports directly to the CEO.",
    "Interested in joining the beta programme.",
    "Do not call on Fridays.",
)

# ---------------------------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------------------------

_EXTRA_ASCII = str.maketrans({
    "ß": "ss", "ẞ": "ss", "æ": "ae", "Æ": "ae", "œ": "oe", "Œ": "oe", "ø": "o", "Ø": "o", "ł": "l", "Ł": "l",
    "đ": "d", "Đ": "d", "þ": "th", "Þ": "th", "ı": "i",
})
_APOSTROPHES_AND_SPACES = re.compile(r"['\u2019\u2018`\s]+")
_NOT_SLUG = re.compile(r"[^a-z0-9.-]")


def fill_digits(fmt: str, rng: random.Random) -> str:
    """Replace every ``#`` in ``fmt`` by a digit drawn from ``rng``."""
    digits = iter(str(rng.randrange(10 ** fmt.count("#"))).zfill(fmt.count("#")))
    return "".join(next(digits) if ch == "#" else ch for ch in fmt)


def ascii_slug(text: str) -> str:
    """Lowercase ASCII form of ``text`` for email local parts and domains.

    Accents are stripped, ß becomes "ss", apostrophes and spaces are dropped, and only ``[a-z0-9.-]`` is kept.
    Returns "" when ``text`` contains no Latin letters (e.g. Chinese or Arabic); use ``ROMANISED`` for those.
    """
    decomposed = unicodedata.normalize("NFKD", text.translate(_EXTRA_ASCII))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()
    slug = _NOT_SLUG.sub("", _APOSTROPHES_AND_SPACES.sub("", stripped))
    return slug if any("a" <= ch <= "z" for ch in slug) else ""
