"""The hand-written vocabulary of credit-card support talk, shared by the rules planner and the built-in
planner's featurizer.

- normalise: one spelling for what people type (contractions, misspellings, one-keystroke typos).
- ignored_text: what the policy sets aside (injected instructions, bare demands for a human, other
  people's accounts).
- instructions: instructions aimed at the system, recognised by family rather than by phrasing.
- deobfuscate: the disguises such an instruction hides behind (look-alike letters, invisible characters,
  l33t, spaced letters, base64), undone for recognising it.
- departments: department names left in a customer's text, read as "the bank's team", so naming one
  cannot steer the route.
- patterns: the route/issue pattern table (patterns.yaml), compiled once.
- cues: phrasings that leave the route open (an unknown charge, a lost card, a vague bill question).
- evidence: a conversation's route scores, issues and ambiguity flags, and the route they point to.
- answers: what an answer to one of the clarifying questions says about the route.
- facts: merchants, amounts, dates and last-four digits for a handoff, and card-number redaction.
"""
