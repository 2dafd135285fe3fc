namespace Qwen2VL.Processing.Text.Jinja;

/// <summary>An expression in a template's syntax tree.</summary>
internal abstract record Expr(SourcePosition Position);

/// <summary>A literal value: string, integer (long), float (double), bool or none (null).</summary>
internal sealed record LiteralExpr(object? Value, SourcePosition Position) : Expr(Position);

/// <summary>A variable reference.</summary>
internal sealed record NameExpr(string Name, SourcePosition Position) : Expr(Position);

/// <summary><c>[a, b]</c></summary>
internal sealed record ListExpr(IReadOnlyList<Expr> Items, SourcePosition Position) : Expr(Position);

/// <summary><c>(a, b)</c> or a bare <c>a, b</c>.</summary>
internal sealed record TupleExpr(IReadOnlyList<Expr> Items, SourcePosition Position) : Expr(Position);

/// <summary><c>{k: v}</c></summary>
internal sealed record DictExpr(IReadOnlyList<(Expr Key, Expr Value)> Entries, SourcePosition Position) : Expr(Position);

/// <summary><c>obj.name</c></summary>
internal sealed record AttributeExpr(Expr Target, string Name, SourcePosition Position) : Expr(Position);

/// <summary><c>obj[key]</c></summary>
internal sealed record ItemExpr(Expr Target, Expr Key, SourcePosition Position) : Expr(Position);

/// <summary><c>obj[start:stop:step]</c></summary>
internal sealed record SliceExpr(Expr Target, Expr? Start, Expr? Stop, Expr? Step, SourcePosition Position) : Expr(Position);

/// <summary>Positional and keyword arguments of a call, filter or test.</summary>
internal sealed record Arguments(IReadOnlyList<Expr> Positional, IReadOnlyList<(string Name, Expr Value)> Keywords)
{
    public static Arguments None { get; } = new([], []);
}

/// <summary><c>f(args)</c></summary>
internal sealed record CallExpr(Expr Callee, Arguments Arguments, SourcePosition Position) : Expr(Position);

/// <summary><c>value | name(args)</c></summary>
internal sealed record FilterExpr(Expr Value, string Name, Arguments Arguments, SourcePosition Position) : Expr(Position);

/// <summary><c>value is [not] name(args)</c></summary>
internal sealed record TestExpr(Expr Value, string Name, Arguments Arguments, bool Negated, SourcePosition Position) : Expr(Position);

/// <summary><c>not x</c>, <c>-x</c>, <c>+x</c></summary>
internal sealed record UnaryExpr(string Operator, Expr Operand, SourcePosition Position) : Expr(Position);

/// <summary>Arithmetic, <c>~</c>, <c>and</c>, <c>or</c>.</summary>
internal sealed record BinaryExpr(string Operator, Expr Left, Expr Right, SourcePosition Position) : Expr(Position);

/// <summary>A comparison chain <c>a &lt; b &lt;= c</c>, including <c>in</c> and <c>not in</c>.</summary>
internal sealed record CompareExpr(Expr First, IReadOnlyList<(string Operator, Expr Operand)> Rest, SourcePosition Position) : Expr(Position);

/// <summary><c>a if cond else b</c> (a missing else gives undefined).</summary>
internal sealed record ConditionalExpr(Expr Condition, Expr Then, Expr? Else, SourcePosition Position) : Expr(Position);
