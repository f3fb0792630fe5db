"""Word lists and templates for the synthetic data: names, subjects, message bodies, courses.

Everything here is constant data; the generators pick from it with their seeded RNG. Bodies are
short and templated on purpose (one per kind of message, no per-row text): they only need to look
plausible in the GraphiQL demo and cost nothing to load.
"""

from __future__ import annotations

FIRST_NAMES = (
    "Camille", "Louise", "Léa", "Chloé", "Manon", "Inès", "Jade", "Alice", "Emma", "Zoé",
    "Hugo", "Lucas", "Louis", "Gabriel", "Arthur", "Jules", "Nathan", "Théo", "Adam", "Raphaël",
    "Sofia", "Amira", "Yasmine", "Elena", "Giulia", "Marta", "Hannah", "Olivia", "Charlotte",
    "Amelia", "Isabella", "Aiko", "Mei", "Priya", "Ananya", "Noor", "Layla", "Freya", "Ingrid",
    "Oliver", "James", "William", "Henry", "Leo", "Matteo", "Luca", "Diego", "Mateo", "Omar",
    "Karim", "Rayan", "Kenji", "Arjun", "Felix", "Maximilian", "Noah", "Elias", "Victor", "Axel",
)  # fmt: skip
LAST_NAMES = (
    "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy",
    "Moreau", "Simon", "Laurent", "Lefebvre", "Michel", "Garcia", "David", "Bertrand", "Roux",
    "Vincent", "Fournier", "Morel", "Girard", "André", "Mercier", "Dupont", "Lambert", "Bonnet",
    "Rossi", "Bianchi", "Romano", "Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Smith",
    "Jones", "Taylor", "Brown", "Wilson", "Evans", "Fernández", "López", "Martínez", "Sánchez",
    "Pérez", "Silva", "Santos", "Khan", "Haddad", "Benali", "Nakamura", "Tanaka", "Chen", "Wang",
    "Patel", "Sharma", "Nielsen", "Johansson", "de Vries", "Janssens", "Peeters", "Novak",
)  # fmt: skip
EMAIL_DOMAINS = ("example.com", "example.org", "example.net", "mail.example", "inbox.example")

#: ISO country codes of customers with their weights and phone prefixes.
COUNTRIES: tuple[tuple[str, float, str], ...] = (
    ("FR", 0.42, "+33"), ("GB", 0.10, "+44"), ("DE", 0.08, "+49"), ("IT", 0.06, "+39"),
    ("ES", 0.06, "+34"), ("BE", 0.05, "+32"), ("CH", 0.05, "+41"), ("NL", 0.04, "+31"),
    ("US", 0.06, "+1"), ("AE", 0.04, "+971"), ("MC", 0.02, "+377"), ("JP", 0.02, "+81"),
)  # fmt: skip

#: Ticket subjects per leaf category slug (three variants each).
SUBJECTS: dict[str, tuple[str, str, str]] = {
    "late_delivery": ("Where is my order?", "Parcel still not delivered", "Delivery is late"),
    "damaged_item": ("Item arrived damaged", "Broken bottle in my parcel", "Damaged packaging"),
    "returns_refunds": ("I want to return an item", "Return label request", "Refund for my return"),
    "skin_reaction": ("Reaction to a serum", "Redness after new cream", "Irritation from product"),
    "product_usage": ("How do I use this product?", "Question about my routine", "Layering advice"),
    "shade_matching": ("Help choosing my shade", "Shade does not match", "Which concealer shade?"),
    "class_booking": ("Cannot book a class", "Class booking failed", "Waitlist question"),
    "membership_change": ("Change my membership plan", "Pause my membership", "Upgrade to premium"),
    "trainer_feedback": ("Feedback about my trainer", "Trainer was late", "Praise for my coach"),
    "payment_failed": ("Payment declined", "Card payment failed", "Checkout error on payment"),
    "refund_status": ("Status of my refund", "Refund not received", "When will I be refunded?"),
    "invoice_request": ("Invoice request", "Need a VAT invoice", "Copy of my invoice"),
    "login_issue": ("Cannot log in", "Password reset not working", "Account locked"),
    "data_privacy": ("Delete my personal data", "GDPR data request", "Privacy question"),
    "profile_update": ("Update my address", "Change my email", "Update my preferences"),
}  # fmt: skip

#: Bodies by message kind; customer openers are per root category.
CUSTOMER_OPENERS: dict[str, tuple[str, ...]] = {
    "orders_and_delivery": (
        "Hello, my order has not arrived yet and the tracking has not moved for days.",
        "Hi, I received my parcel but something is wrong with it. Can you help?",
        "Good morning, I would like to send back part of my order.",
    ),
    "product_and_skincare": (
        "Hello, I have a question about a product I bought recently.",
        "Hi, I noticed a reaction after using the product and I am worried.",
        "Could you help me find the right shade and routine for my skin?",
    ),
    "memberships_and_classes": (
        "Hello, I am trying to book a class but it does not work.",
        "Hi, I would like to change my membership.",
        "I want to share some feedback about my last session.",
    ),
    "billing": (
        "Hello, my payment did not go through although my card is valid.",
        "Hi, I am still waiting for my refund.",
        "Could you send me an invoice for my last purchase?",
    ),
    "account": (
        "Hello, I cannot access my account anymore.",
        "Hi, I would like to know what personal data you keep about me.",
        "Please update the details on my profile.",
    ),
}
CUSTOMER_FOLLOWUPS = (
    "Thank you, but it is still not working.",
    "Here are the details you asked for.",
    "Could you give me an update please?",
    "I tried that, it did not help.",
    "Thanks, one more question.",
)
CUSTOMER_REOPENS = (
    "Sorry, the problem is back.",
    "I never received what was promised.",
    "This is still not resolved.",
)
AGENT_FIRST = (
    "Hello, thank you for reaching out. I am looking into this for you right now.",
    "Thank you for your message. Here is what I can do for you.",
    "Good day, I am sorry for the trouble. I have checked your account and found the issue.",
    "Thank you for your patience. I have taken care of this for you.",
)
AGENT_FOLLOWUPS = (
    "Thank you for the details. I have escalated this to our logistics partner.",
    "I have applied the change on your account. Could you confirm it works?",
    "Here is an update: the team has processed your request.",
    "Could you send me a photo so that I can arrange a replacement?",
)
INTERNAL_NOTES = (
    "Checked order history; carrier claim opened.",
    "Customer is a long-standing client, offer a goodwill gesture.",
    "Escalated to product safety for review.",
)
BOT_GREETING = "Hi! I am the virtual assistant. Let me find the right expert for you."
BOT_HANDOFF = "I am connecting you with an advisor now."
SYSTEM_REOPENED = "Ticket reopened by customer reply."
SYSTEM_ON_HOLD = "Ticket put on hold: waiting for a third party."

QA_FEEDBACK = (
    "Great empathy and a complete answer.",
    "Accurate and friendly; follow the closing checklist.",
    "Good tone, but the process was not fully followed.",
    "Answer was incomplete; review the knowledge base article.",
)

#: Training courses and the skill each develops.
COURSES: tuple[tuple[str, str], ...] = (
    ("Luxury client service essentials", "vip_service"),
    ("Skincare ingredients 101", "skincare"),
    ("Advanced skin concerns", "skincare"),
    ("Fitness programs and memberships", "fitness_programs"),
    ("Payments, refunds and chargebacks", "billing"),
    ("Product catalogue deep dive", "product_knowledge"),
    ("Written communication excellence", "communication"),
    ("De-escalation techniques", "communication"),
    ("Helpdesk tools and macros", "tools"),
    ("White-glove concierge standards", "vip_service"),
)

#: Display names of teams by specialty.
TEAM_NAMES: dict[str, str] = {
    "general": "General Care",
    "beauty": "Beauty Studio",
    "fitness": "Fitness Club",
    "billing": "Billing & Payments",
    "vip": "VIP Concierge",
}
