package io.consumergraph.job.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The series selectors of a PromQL expression ({@code metric{label="value"}}, {@code
 * {__name__=~"..."}}), as far as a dashboard or a rules file needs: enough to check that each one
 * names a metric the job exports. Grafana variables ({@code $job}) in a matcher match anything.
 */
public final class PromQl {

  /** One label matcher: {@code op} is {@code =}, {@code !=}, {@code =~} or {@code !~}. */
  public record Matcher(String label, String op, String value) {

    /** A matcher on a Grafana variable's value: any value may be chosen, so it holds. */
    boolean isTemplated() {
      return value.contains("$");
    }

    boolean matches(String actual) {
      String v = actual == null ? "" : actual;
      return switch (op) {
        case "=" -> v.equals(value);
        case "!=" -> !v.equals(value);
        case "=~" -> Pattern.compile(value).matcher(v).matches();
        case "!~" -> !Pattern.compile(value).matcher(v).matches();
        default -> throw new IllegalArgumentException("matcher operator " + op);
      };
    }

    @Override
    public String toString() {
      return label + op + '"' + value + '"';
    }
  }

  /** A series selector; {@code metric} is null when only a {@code __name__} matcher names it. */
  public record Selector(String metric, List<Matcher> matchers) {

    /** Whether a series with this name and these labels is selected. */
    public boolean selects(String name, Map<String, String> labels) {
      if (metric != null && !metric.equals(name)) {
        return false;
      }
      for (Matcher m : matchers) {
        if (m.isTemplated()) {
          continue;
        }
        String actual = m.label().equals("__name__") ? name : labels.get(m.label());
        if (!m.matches(actual)) {
          return false;
        }
      }
      return true;
    }

    /** Whether a series of this name could be selected, whatever its labels. */
    public boolean selectsName(String name) {
      if (metric != null) {
        return metric.equals(name);
      }
      return matchers.stream()
          .filter(m -> m.label().equals("__name__") && !m.isTemplated())
          .allMatch(m -> m.matches(name));
    }

    /** The metric name, or the {@code __name__} matchers standing for it. */
    public String name() {
      if (metric != null) {
        return metric;
      }
      return matchers.stream()
          .filter(m -> m.label().equals("__name__"))
          .map(Matcher::toString)
          .reduce((a, b) -> a + "," + b)
          .orElse("{}");
    }

    @Override
    public String toString() {
      return (metric == null ? "" : metric) + matchers;
    }
  }

  /**
   * Words that are never metrics: binary operators, modifiers, literals, and the aggregation
   * operators (followed by "by (...)" as often as by their arguments).
   */
  private static final Set<String> KEYWORDS =
      Set.of(
          "and",
          "or",
          "unless",
          "bool",
          "inf",
          "nan",
          "offset",
          "sum",
          "min",
          "max",
          "avg",
          "group",
          "stddev",
          "stdvar",
          "count",
          "count_values",
          "bottomk",
          "topk",
          "quantile",
          "limitk",
          "limit_ratio");

  /** Words followed by a list of label names in parentheses. */
  private static final Set<String> LABEL_LISTS =
      Set.of("by", "without", "on", "ignoring", "group_left", "group_right");

  private static final Pattern LABEL_VALUES =
      Pattern.compile("^\\s*label_values\\((.*),\\s*[A-Za-z_][A-Za-z0-9_]*\\s*\\)\\s*$");

  private PromQl() {}

  /**
   * The selectors of a Grafana variable query {@code label_values(selector, label)}; none for other
   * variable queries.
   */
  public static List<Selector> variableSelectors(String query) {
    var m = LABEL_VALUES.matcher(query);
    return m.matches() ? selectors(m.group(1)) : List.of();
  }

  /** The series selectors of {@code expr}, in order of appearance. */
  public static List<Selector> selectors(String expr) {
    List<Selector> out = new ArrayList<>();
    int i = 0;
    int n = expr.length();
    while (i < n) {
      char c = expr.charAt(i);
      if (c == '"' || c == '\'' || c == '`') {
        i = skipString(expr, i);
      } else if (c == '[') {
        i = expr.indexOf(']', i) + 1; // range or subquery: durations, Grafana's $__rate_interval
        if (i == 0) {
          throw new IllegalArgumentException("unclosed '[' in " + expr);
        }
      } else if (c == '{') {
        List<Matcher> matchers = new ArrayList<>();
        i = matchers(expr, i, matchers);
        out.add(new Selector(null, matchers));
      } else if (c == '$') {
        i = skipVariable(expr, i);
      } else if (Character.isDigit(c) || (c == '.' && i + 1 < n && isDigit(expr, i + 1))) {
        i++;
        while (i < n && (Character.isLetterOrDigit(expr.charAt(i)) || expr.charAt(i) == '.')) {
          i++; // numbers, and durations after "offset"
        }
      } else if (isIdentifierStart(c)) {
        int start = i;
        while (i < n && isIdentifierPart(expr.charAt(i))) {
          i++;
        }
        String word = expr.substring(start, i);
        int next = skipSpace(expr, i);
        char after = next < n ? expr.charAt(next) : 0;
        if (LABEL_LISTS.contains(word)) {
          i = after == '(' ? expr.indexOf(')', next) + 1 : next;
        } else if (KEYWORDS.contains(word) || after == '(') {
          i = next; // a keyword, or a function / aggregation: its arguments are read on
        } else {
          List<Matcher> matchers = new ArrayList<>();
          if (after == '{') {
            i = matchers(expr, next, matchers);
          }
          out.add(new Selector(word, matchers));
        }
      } else {
        i++;
      }
    }
    return out;
  }

  /** Reads {@code {a="x", b=~"y"}} from {@code open}; returns the index after the brace. */
  private static int matchers(String expr, int open, List<Matcher> out) {
    int i = open + 1;
    int n = expr.length();
    while (true) {
      i = skipSpace(expr, i);
      if (i >= n) {
        throw new IllegalArgumentException("unclosed '{' in " + expr);
      }
      if (expr.charAt(i) == '}') {
        return i + 1;
      }
      if (expr.charAt(i) == ',') {
        i++;
        continue;
      }
      int start = i;
      while (i < n && isIdentifierPart(expr.charAt(i))) {
        i++;
      }
      String label = expr.substring(start, i);
      i = skipSpace(expr, i);
      int opStart = i;
      while (i < n && "=!~".indexOf(expr.charAt(i)) >= 0) {
        i++;
      }
      String op = expr.substring(opStart, i);
      i = skipSpace(expr, i);
      int end = skipString(expr, i);
      String value = unquote(expr.substring(i, end));
      if (label.isEmpty() || op.isEmpty()) {
        throw new IllegalArgumentException("bad label matcher at " + start + " in " + expr);
      }
      out.add(new Matcher(label, op, value));
      i = end;
    }
  }

  private static int skipString(String expr, int i) {
    char quote = expr.charAt(i);
    if (quote != '"' && quote != '\'' && quote != '`') {
      throw new IllegalArgumentException("expected a string at " + i + " in " + expr);
    }
    int j = i + 1;
    while (j < expr.length() && expr.charAt(j) != quote) {
      j += (expr.charAt(j) == '\\' && quote != '`') ? 2 : 1;
    }
    if (j >= expr.length()) {
      throw new IllegalArgumentException("unclosed string at " + i + " in " + expr);
    }
    return j + 1;
  }

  private static String unquote(String literal) {
    String body = literal.substring(1, literal.length() - 1);
    if (literal.charAt(0) == '`') {
      return body;
    }
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < body.length(); i++) {
      char c = body.charAt(i);
      if (c == '\\' && i + 1 < body.length()) {
        char e = body.charAt(++i);
        b.append(
            switch (e) {
              case 'n' -> '\n';
              case 't' -> '\t';
              default -> e;
            });
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }

  private static int skipVariable(String expr, int i) {
    int j = i + 1;
    if (j < expr.length() && expr.charAt(j) == '{') {
      return expr.indexOf('}', j) + 1;
    }
    while (j < expr.length() && isIdentifierPart(expr.charAt(j))) {
      j++;
    }
    return j;
  }

  private static int skipSpace(String expr, int i) {
    while (i < expr.length() && Character.isWhitespace(expr.charAt(i))) {
      i++;
    }
    return i;
  }

  private static boolean isDigit(String expr, int i) {
    return Character.isDigit(expr.charAt(i));
  }

  private static boolean isIdentifierStart(char c) {
    return Character.isLetter(c) || c == '_' || c == ':';
  }

  private static boolean isIdentifierPart(char c) {
    return Character.isLetterOrDigit(c) || c == '_' || c == ':';
  }
}
