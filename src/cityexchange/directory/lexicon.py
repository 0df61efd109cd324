"""Small multilingual cue lists the Finder reads wishes from, besides the thesaurus.

The thesaurus knows *topics* (flooding, digital twins...). What a town *wants*
(to learn from examples, to train its staff, to find funding), how much it can
invest and how far along it is are said in ordinary words; these lists hold
such words in de/en/es/pt. They are matched on Snowball stems of whole words
(and, for German, as the start of a compound), so inflected forms count too.
Nothing here names an offer: cues only set the same structured wishes a user
could have ticked in the form.
"""

from __future__ import annotations

from cityexchange.directory.enums import Goal

GOAL_CUES: dict[str, dict[str, list[str]]] = {
    Goal.LEARN_EXAMPLES: {
        "de": ["beispiel", "erfolgsbeispiel", "praxisbeispiel", "lernen", "inspiration",
               "erfahrungen", "good practice", "best practice"],
        "en": ["example", "learn", "inspiration", "good practice", "best practice",
               "case study", "experience"],
        "es": ["ejemplo", "aprender", "inspiración", "buenas prácticas", "experiencias"],
        "pt": ["exemplo", "aprender", "inspiração", "boas práticas", "experiências"],
    },
    Goal.PEER_EXCHANGE: {
        "de": ["austausch", "austauschen", "vernetzen", "vernetzung", "netzwerk", "andere städte",
               "andere kommunen", "partnerstadt", "peer", "kontakt"],
        "en": ["exchange", "network", "networking", "peer", "other cities", "connect",
               "partner city", "twinning"],
        "es": ["intercambio", "intercambiar", "redes", "otras ciudades", "pares",
               "conectar", "hermanamiento"],
        "pt": ["intercâmbio", "trocar", "troca", "rede", "redes", "outras cidades", "pares",
               "conectar"],
    },
    Goal.EXPERT_ADVICE: {
        "de": ["beratung", "berater", "expertise", "experten", "unterstützung"],
        "en": ["advice", "advisory", "expert", "consulting", "guidance", "support"],
        "es": ["asesoría", "asesoramiento", "consejo", "expertos", "apoyo", "consultoría"],
        "pt": ["assessoria", "aconselhamento", "consultoria", "especialistas", "apoio"],
    },
    Goal.CO_DEVELOP_PILOT: {
        "de": ["pilot", "pilotprojekt", "forschung", "forschende", "wissenschaft",
               "hochschule", "universität", "erproben", "gemeinsam entwickeln"],
        "en": ["pilot", "research", "researchers", "university", "co-develop", "test", "trial",
               "prototype"],
        "es": ["piloto", "investigación", "investigadores", "universidad", "probar",
               "prototipo"],
        "pt": ["piloto", "pesquisa", "pesquisadores", "universidade", "testar", "protótipo"],
    },
    Goal.TRAIN_STAFF: {
        "de": ["schulung", "weiterbildung", "fortbildung", "qualifizierung", "training",
               "kurs", "kompetenz", "mitarbeitende", "lernen"],
        "en": ["training", "train", "course", "skills", "capacity building",
               "qualification"],
        "es": ["capacitación", "formación", "curso", "capacitar", "habilidades",
               "competencias"],
        "pt": ["capacitação", "formação", "treinamento", "curso", "competências",
               "qualificação"],
    },
    Goal.MEASURE_MATURITY: {
        "de": ["reifegrad", "digitale reife", "selbsteinschätzung", "standortbestimmung",
               "bewertung", "messen", "roadmap", "fahrplan"],
        "en": ["maturity", "self-assessment", "assessment", "measure", "roadmap",
               "where we stand", "benchmark"],
        "es": ["madurez", "autoevaluación", "evaluación", "medir", "hoja de ruta",
               "diagnóstico"],
        "pt": ["maturidade", "autoavaliação", "avaliação", "medir", "roteiro", "diagnóstico"],
    },
    Goal.FIND_FUNDING: {
        "de": ["förderung", "fördermittel", "finanzierung", "geld", "zuschuss", "förderprogramm"],
        "en": ["funding", "finance", "financing", "grant", "money", "budget"],
        "es": ["financiación", "financiamiento", "fondos", "subvención", "dinero"],
        "pt": ["financiamento", "fundos", "recursos financeiros", "subsídio", "dinheiro"],
    },
    Goal.SHAPE_GUIDELINES: {
        "de": ["leitlinien", "richtlinien", "stellungnahme", "mitgestalten", "standards",
               "konsultation"],
        "en": ["guidelines", "consultation", "comment", "shape", "standards", "policy"],
        "es": ["directrices", "lineamientos", "consulta", "comentar", "normas"],
        "pt": ["diretrizes", "consulta", "comentar", "normas"],
    },
    Goal.DIGITISE_RETAIL: {
        "de": ["einzelhandel", "händler", "innenstadt", "marktplatz", "geschäfte", "läden",
               "online-shop"],
        "en": ["retail", "retailers", "shops", "marketplace", "high street", "local businesses",
               "town centre"],
        "es": ["comercio", "comerciantes", "tiendas", "mercado digital", "marketplace"],
        "pt": ["comércio", "comerciantes", "lojas", "marketplace", "varejo"],
    },
    Goal.INTERNATIONAL_VISIBILITY: {
        "de": ["sichtbarkeit", "präsentieren", "bekannt machen"],
        "en": ["visibility", "showcase"],
        "es": ["visibilidad", "dar a conocer"],
        "pt": ["visibilidade", "divulgar"],
    },
    Goal.STRATEGY_SUPPORT: {
        "de": ["strategie", "smart-city-strategie", "digitalstrategie", "konzept", "leitbild",
               "anfangen", "anfang"],
        "en": ["strategy", "vision", "getting started", "where to start"],
        "es": ["estrategia", "visión", "empezar", "por dónde empezar"],
        "pt": ["estratégia", "visão", "começar", "por onde começar"],
    },
}

# Words saying the town has little time or money: low-effort offers come first.
LOW_RESOURCE_CUES: dict[str, list[str]] = {
    "de": ["kein personal", "wenig personal", "ohne personal", "ohne budget", "ohne geld", "keine zeit", "wenig zeit", "kein budget",
           "kein geld", "wenig geld", "knappe ressourcen", "wenig ressourcen", "keine ressourcen",
           "kein eigenes team", "ohne eigenes team", "ohne team", "allein", "nebenbei",
           "ehrenamtlich", "kleine verwaltung", "keine kapazität", "kaum kapazität"],
    "en": ["no staff", "little staff", "no time", "little time", "no budget", "no money",
           "small budget", "limited resources", "few resources", "no team", "on my own",
           "small team", "part-time", "limited capacity", "one person"],
    "es": ["sin personal", "poco personal", "sin tiempo", "poco tiempo", "sin presupuesto",
           "poco presupuesto", "sin dinero", "recursos limitados", "pocos recursos",
           "sin equipo", "equipo pequeño", "capacidad limitada"],
    "pt": ["sem pessoal", "pouco pessoal", "sem tempo", "pouco tempo", "sem orçamento",
           "pouco orçamento", "sem dinheiro", "recursos limitados", "poucos recursos",
           "sem equipe", "equipe pequena", "capacidade limitada"],
}

# Words saying where the town stands on its way.
LEVEL_CUES: dict[str, dict[str, list[str]]] = {
    "newcomer": {
        "de": ["anfang", "anfänger", "einsteiger", "erste schritte", "newcomer",
               "am anfang", "noch nicht", "beginnen", "starten", "einstieg"],
        "en": ["beginner", "newcomer", "first steps", "just starting", "starting out",
               "new to", "getting started", "not yet"],
        "es": ["principiante", "primeros pasos", "empezando", "comenzando", "nuevos en",
               "todavía no", "aún no", "recién"],
        "pt": ["iniciante", "primeiros passos", "começando", "novos em", "ainda não",
               "início"],
    },
    "experienced": {
        "de": ["erfahren", "fortgeschritten", "bereits umgesetzt", "seit jahren", "vorreiter",
               "modellprojekt", "haben schon", "bestehende plattform"],
        "en": ["experienced", "advanced", "already implemented", "for years", "pioneer",
               "frontrunner", "leading", "already have", "already run"],
        "es": ["experimentados", "avanzados", "ya implementamos", "desde hace años",
               "pioneros", "ya tenemos", "líder"],
        "pt": ["experientes", "avançados", "já implementamos", "há anos", "pioneiros",
               "já temos", "líder"],
    },
}
