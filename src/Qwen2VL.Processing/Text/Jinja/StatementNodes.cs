namespace Qwen2VL.Processing.Text.Jinja;

/// <summary>A node of a template body.</summary>
internal abstract record Node(SourcePosition Position);

/// <summary>Literal text.</summary>
internal sealed record TextNode(string Text, SourcePosition Position) : Node(Position);

/// <summary><c>{{ expr }}</c></summary>
internal sealed record OutputNode(Expr Value, SourcePosition Position) : Node(Position);

/// <summary><c>{% if %}{% elif %}{% else %}{% endif %}</c></summary>
internal sealed record IfNode(IReadOnlyList<(Expr Condition, IReadOnlyList<Node> Body)> Branches, IReadOnlyList<Node> Else, SourcePosition Position)
    : Node(Position);

/// <summary><c>{% for a, b in iterable if cond %}...{% else %}...{% endfor %}</c></summary>
internal sealed record ForNode(IReadOnlyList<string> Targets, Expr Iterable, Expr? Filter, IReadOnlyList<Node> Body, IReadOnlyList<Node> Else,
    SourcePosition Position) : Node(Position);

/// <summary><c>{% set a = expr %}</c>, <c>{% set a, b = expr %}</c> or <c>{% set ns.attr = expr %}</c>.</summary>
internal sealed record SetNode(IReadOnlyList<string> Targets, string? Attribute, Expr Value, SourcePosition Position) : Node(Position);

/// <summary><c>{% set name %}body{% endset %}</c></summary>
internal sealed record SetBlockNode(string Name, IReadOnlyList<Node> Body, SourcePosition Position) : Node(Position);

/// <summary><c>{% macro name(a, b=default) %}body{% endmacro %}</c></summary>
internal sealed record MacroNode(string Name, IReadOnlyList<(string Name, Expr? Default)> Parameters, IReadOnlyList<Node> Body,
    SourcePosition Position) : Node(Position);

/// <summary><c>{% filter name(args) %}body{% endfilter %}</c></summary>
internal sealed record FilterBlockNode(string Filter, Arguments Arguments, IReadOnlyList<Node> Body, SourcePosition Position) : Node(Position);

/// <summary><c>{% break %}</c></summary>
internal sealed record BreakNode(SourcePosition Position) : Node(Position);

/// <summary><c>{% continue %}</c></summary>
internal sealed record ContinueNode(SourcePosition Position) : Node(Position);

/// <summary>A body that renders in place (<c>{% generation %}</c> marks assistant text for training masks).</summary>
internal sealed record GroupNode(IReadOnlyList<Node> Body, SourcePosition Position) : Node(Position);
