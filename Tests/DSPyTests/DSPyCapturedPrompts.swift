// Generated from shared/docs/DSPY-PROMPTS.txt (DSPy 3.4.1 requests captured on a mock server):
// the exact system/user/assistant messages Python DSPy sends. Do not edit by hand.

enum DSPyCapturedPrompts {
    static let predict: [(role: String, content: String)] = [
        (
            "system",
            "Your input fields are:\n1. `question` (str):\nYour output fields are:\n1. `answer` (str):\nAll interactions will be structured in the following way, with the appropriate values filled in.\n\n[[ ## question ## ]]\n{question}\n\n[[ ## answer ## ]]\n{answer}\n\n[[ ## completed ## ]]\nIn adhering to this structure, your objective is: \n        Given the fields `question`, produce the fields `answer`."
        ),
        (
            "user",
            "[[ ## question ## ]]\nWhat is the capital of France?\n\nRespond with the corresponding output fields, starting with the field `[[ ## answer ## ]]`, and then ending with the marker for `[[ ## completed ## ]]`."
        ),
    ]
    static let predictReply = "[[ ## answer ## ]]\nMock answer hotel-zulu (8841d4ad) for: What is the capital of France?\n\n[[ ## completed ## ]]"
    static let chainOfThought: [(role: String, content: String)] = [
        (
            "system",
            "Your input fields are:\n1. `question` (str):\nYour output fields are:\n1. `reasoning` (str): \n2. `answer` (str):\nAll interactions will be structured in the following way, with the appropriate values filled in.\n\n[[ ## question ## ]]\n{question}\n\n[[ ## reasoning ## ]]\n{reasoning}\n\n[[ ## answer ## ]]\n{answer}\n\n[[ ## completed ## ]]\nIn adhering to this structure, your objective is: \n        Given the fields `question`, produce the fields `answer`."
        ),
        (
            "user",
            "[[ ## question ## ]]\nWhy is the sky blue?\n\nRespond with the corresponding output fields, starting with the field `[[ ## reasoning ## ]]`, then `[[ ## answer ## ]]`, and then ending with the marker for `[[ ## completed ## ]]`."
        ),
    ]
    static let chainOfThoughtReply =
        "[[ ## reasoning ## ]]\nMock reasoning charlie-hotel (8edb0c2c) for: Why is the sky blue?\n\n[[ ## answer ## ]]\nMock answer charlie-hotel (8edb0c2c) for: Why is the sky blue?\n\n[[ ## completed ## ]]"
    static let predictWithDemo: [(role: String, content: String)] = [
        (
            "system",
            "Your input fields are:\n1. `question` (str):\nYour output fields are:\n1. `answer` (str):\nAll interactions will be structured in the following way, with the appropriate values filled in.\n\n[[ ## question ## ]]\n{question}\n\n[[ ## answer ## ]]\n{answer}\n\n[[ ## completed ## ]]\nIn adhering to this structure, your objective is: \n        Given the fields `question`, produce the fields `answer`."
        ),
        ("user", "[[ ## question ## ]]\nWhat is 1+1?"),
        ("assistant", "[[ ## answer ## ]]\n2\n\n[[ ## completed ## ]]\n"),
        (
            "user",
            "[[ ## question ## ]]\nWhat is 2+2?\n\nRespond with the corresponding output fields, starting with the field `[[ ## answer ## ]]`, and then ending with the marker for `[[ ## completed ## ]]`."
        ),
    ]
    static let predictWithDemoReply = "[[ ## answer ## ]]\nMock answer hotel-whiskey (2bfcc75f) for: What is 2+2?\n\n[[ ## completed ## ]]"
    static let typedClassify: [(role: String, content: String)] = [
        (
            "system",
            "Your input fields are:\n1. `review` (str): a product review\nYour output fields are:\n1. `sentiment` (Literal['positive', 'negative', 'neutral']): \n2. `confidence` (float): between 0 and 1\n3. `keywords` (list[str]):\nAll interactions will be structured in the following way, with the appropriate values filled in.\n\n[[ ## review ## ]]\n{review}\n\n[[ ## sentiment ## ]]\n{sentiment}        # note: the value you produce must exactly match (no extra characters) one of: positive; negative; neutral\n\n[[ ## confidence ## ]]\n{confidence}        # note: the value you produce must be a single float value\n\n[[ ## keywords ## ]]\n{keywords}        # note: the value you produce must adhere to the JSON schema: {\"type\": \"array\", \"items\": {\"type\": \"string\"}}\n\n[[ ## completed ## ]]\nIn adhering to this structure, your objective is: \n        Classify the sentiment of a product review."
        ),
        (
            "user",
            "[[ ## review ## ]]\nBattery life is great, screen is dim.\n\nRespond with the corresponding output fields, starting with the field `[[ ## sentiment ## ]]` (must be formatted as a valid Python Literal['positive', 'negative', 'neutral']), then `[[ ## confidence ## ]]` (must be formatted as a valid Python float), then `[[ ## keywords ## ]]` (must be formatted as a valid Python list[str]), and then ending with the marker for `[[ ## completed ## ]]`."
        ),
    ]
    static let typedClassifyReply =
        "[[ ## sentiment ## ]]\nnegative\n\n[[ ## confidence ## ]]\n0.57\n\n[[ ## keywords ## ]]\n[\"hotel\", \"sierra\"]\n\n[[ ## completed ## ]]"
    static let streamify: [(role: String, content: String)] = [
        (
            "system",
            "Your input fields are:\n1. `question` (str):\nYour output fields are:\n1. `answer` (str):\nAll interactions will be structured in the following way, with the appropriate values filled in.\n\n[[ ## question ## ]]\n{question}\n\n[[ ## answer ## ]]\n{answer}\n\n[[ ## completed ## ]]\nIn adhering to this structure, your objective is: \n        Given the fields `question`, produce the fields `answer`."
        ),
        (
            "user",
            "[[ ## question ## ]]\nStream this please\n\nRespond with the corresponding output fields, starting with the field `[[ ## answer ## ]]`, and then ending with the marker for `[[ ## completed ## ]]`."
        ),
    ]
    static let streamifyReply = "[[ ## answer ## ]]\nMock answer uniform-kilo (2d82198c) for: Stream this please\n\n[[ ## completed ## ]]"
}
