#include "core/train/captions.h"

#include <cctype>
#include <initializer_list>
#include <stdexcept>

namespace lienzo::train {
namespace {

/// Picks among weighted wordings; without a generator (canonical captions) always the first.
class Chooser {
 public:
  explicit Chooser(std::mt19937_64* rng) : m_rng(rng) {}

  int pick(std::initializer_list<double> weights) {
    if (!m_rng) return 0;
    return weightedIndex(*m_rng, weights.begin(), int(weights.size()));
  }
  template <typename T>
  T pick(std::initializer_list<T> options, std::initializer_list<double> weights) {
    return options.begin()[pick(weights)];
  }
  bool chance(double p) { return m_rng && bernoulli(*m_rng, p); }

 private:
  std::mt19937_64* m_rng;
};

bool startsWithVowel(const std::string& word) {
  return !word.empty() && std::string("aeiouAEIOU").find(word[0]) != std::string::npos;
}

std::string join(const std::vector<std::string>& words) {
  std::string out;
  for (const std::string& w : words) {
    if (w.empty()) continue;
    if (!out.empty()) out += ' ';
    out += w;
  }
  return out;
}

Relation inverse(Relation r) {
  switch (r) {
    case Relation::LeftOf:
      return Relation::RightOf;
    case Relation::RightOf:
      return Relation::LeftOf;
    case Relation::Above:
      return Relation::Below;
    case Relation::Below:
      return Relation::Above;
    case Relation::None:
      break;
  }
  return Relation::None;
}

// ---- English -----------------------------------------------------------------------------------

std::string enColour(Colour c, Chooser& ch) {
  switch (c) {
    case Colour::Red:
      return "red";
    case Colour::Green:
      return "green";
    case Colour::Blue:
      return "blue";
    case Colour::Yellow:
      return "yellow";
    case Colour::Orange:
      return "orange";
    case Colour::Purple:
      return ch.pick<std::string>({"purple", "violet"}, {0.8, 0.2});
    case Colour::White:
      return "white";
    case Colour::Black:
      return "black";
  }
  return "";
}

std::string enSize(SizeClass s, Chooser& ch) {
  if (s == SizeClass::Small)
    return ch.pick<std::string>({"small", "tiny", "little"}, {0.5, 0.2, 0.3});
  return ch.pick<std::string>({"large", "big", "huge"}, {0.5, 0.42, 0.08});
}

std::string enShape(Shape s, bool plural, Chooser& ch) {
  std::string noun;
  switch (s) {
    case Shape::Circle:
      noun = ch.pick<std::string>({"circle", "disc", "dot"}, {0.82, 0.12, 0.06});
      break;
    case Shape::Square:
      noun = "square";
      break;
    case Shape::Triangle:
      noun = "triangle";
      break;
    case Shape::Star:
      noun = "star";
      break;
    case Shape::Ring:
      noun = ch.pick<std::string>({"ring", "donut", "hollow circle"}, {0.8, 0.1, 0.1});
      break;
  }
  return plural ? noun + "s" : noun;
}

std::string enCount(int n, Chooser& ch) {
  switch (n) {
    case 1:
      return ch.pick<std::string>({"one", "a single", "1", "just one"}, {0.5, 0.25, 0.15, 0.1});
    case 2:
      return ch.pick<std::string>({"two", "2", "a pair of"}, {0.7, 0.2, 0.1});
    case 3:
      return ch.pick<std::string>({"three", "3"}, {0.78, 0.22});
    default:
      return ch.pick<std::string>({"four", "4"}, {0.78, 0.22});
  }
}

/// "a small red circle", "three yellow stars", "one star".
std::string enNounPhrase(const ObjectGroup& g, bool numbered, Chooser& ch) {
  const bool plural = g.count > 1;
  const std::string body =
      join({g.sizeStated ? enSize(g.size, ch) : "", g.colourStated ? enColour(g.colour, ch) : "",
            enShape(g.shape, plural, ch)});
  if (numbered || plural) return enCount(g.count, ch) + " " + body;
  if (ch.chance(0.06)) return "one " + body;
  return (startsWithVowel(body) ? "an " : "a ") + body;
}

std::string enRegion(Region r, Chooser& ch) {
  switch (r) {
    case Region::None:
      return "";
    case Region::Left:
      return ch.pick<std::string>({"on the left", "on the left side", "at the left", "to the left"},
                                  {0.55, 0.2, 0.1, 0.15});
    case Region::Right:
      return ch.pick<std::string>(
          {"on the right", "on the right side", "at the right", "to the right"},
          {0.55, 0.2, 0.1, 0.15});
    case Region::Top:
      return ch.pick<std::string>({"at the top", "near the top", "in the upper part", "up top"},
                                  {0.6, 0.2, 0.1, 0.1});
    case Region::Bottom:
      return ch.pick<std::string>(
          {"at the bottom", "near the bottom", "in the lower part", "down at the bottom"},
          {0.6, 0.2, 0.1, 0.1});
    case Region::Centre:
      return ch.pick<std::string>({"in the centre", "in the center", "in the middle", "centered"},
                                  {0.35, 0.3, 0.3, 0.05});
  }
  return "";
}

std::string enRelation(Relation r, Chooser& ch) {
  switch (r) {
    case Relation::LeftOf:
      return ch.pick<std::string>({"to the left of", "left of", "on the left of"}, {0.5, 0.3, 0.2});
    case Relation::RightOf:
      return ch.pick<std::string>({"to the right of", "right of", "on the right of"},
                                  {0.5, 0.3, 0.2});
    case Relation::Above:
      return ch.pick<std::string>({"above", "over"}, {0.7, 0.3});
    case Relation::Below:
      return ch.pick<std::string>({"below", "under", "beneath"}, {0.5, 0.3, 0.2});
    case Relation::None:
      break;
  }
  return "";
}

std::string enArticle(const std::string& next) {
  return startsWithVowel(next) ? "an" : "a";
}

/// " on a blue background", " on blue", ", blue background", " on a gradient from A to B".
std::string enBackground(const Background& bg, Chooser& ch) {
  const std::string a = enColour(bg.from, ch);
  if (!bg.gradient) {
    switch (ch.pick({0.45, 0.15, 0.08, 0.1, 0.1, 0.04, 0.08})) {
      case 0:
        return " on " + enArticle(a) + " " + a + " background";
      case 1:
        return " on " + a;
      case 2:
        return " on " + enArticle(a) + " " + a + " backdrop";
      case 3:
        return " against " + enArticle(a) + " " + a + " background";
      case 4:
        return " with " + enArticle(a) + " " + a + " background";
      case 5:
        return " over " + a;
      default:
        return ", " + a + " background";
    }
  }
  const std::string b = enColour(bg.to, ch);
  switch (ch.pick({0.35, 0.2, 0.1, 0.1, 0.1, 0.15})) {
    case 0:
      return " on a gradient from " + a + " to " + b;
    case 1:
      return " on " + enArticle(a) + " " + a + " to " + b + " gradient";
    case 2:
      return " on " + enArticle(a) + " " + a + "-to-" + b + " gradient background";
    case 3:
      return " against a gradient from " + a + " to " + b;
    case 4:
      return " on a background fading from " + a + " to " + b;
    default:
      return " with a gradient background from " + a + " to " + b;
  }
}

std::string englishCaption(const Scene& scene, Chooser& ch) {
  const ObjectGroup& a = scene.groups.front();
  std::string objects;
  switch (scene.kind) {
    case SceneKind::Single:
      objects = enNounPhrase(a, false, ch);
      if (a.region != Region::None) objects += " " + enRegion(a.region, ch);
      break;
    case SceneKind::Counting:
      objects = enNounPhrase(a, true, ch);
      break;
    case SceneKind::Positional: {
      const bool swap = ch.chance(0.35);
      const ObjectGroup& first = swap ? scene.groups[1] : a;
      const ObjectGroup& second = swap ? a : scene.groups[1];
      const Relation rel = swap ? inverse(scene.relation) : scene.relation;
      objects = enNounPhrase(first, false, ch) + " " + enRelation(rel, ch) + " " +
                enNounPhrase(second, false, ch);
      break;
    }
    case SceneKind::TwoObjects:
    case SceneKind::ColourAttribution: {
      const bool swap = ch.chance(0.5);
      const ObjectGroup& first = swap ? scene.groups[1] : a;
      const ObjectGroup& second = swap ? a : scene.groups[1];
      const std::string conj = ch.pick<std::string>({" and ", " next to ", " with ", " beside "},
                                                    {0.72, 0.1, 0.1, 0.08});
      objects = enNounPhrase(first, false, ch) + conj + enNounPhrase(second, false, ch);
      break;
    }
  }
  std::string text = objects;
  if (scene.background.stated) text += enBackground(scene.background, ch);
  if (ch.chance(0.35)) {
    static const char* const fillers[] = {
        "a picture of ",       "an image of ",         "a drawing of ", "a photo of ",
        "an illustration of ", "a simple drawing of ", "picture of ",   "draw "};
    text = fillers[ch.pick({0.2, 0.18, 0.15, 0.1, 0.1, 0.07, 0.1, 0.1})] + text;
  }
  return text;
}

// ---- Spanish -----------------------------------------------------------------------------------

enum class Gender { Masculine, Feminine };

struct EsNoun {
  std::string singular, plural;
  Gender gender;
};

EsNoun esShape(Shape s, Chooser& ch) {
  switch (s) {
    case Shape::Circle:
      return ch.pick<EsNoun>({{"círculo", "círculos", Gender::Masculine},
                              {"disco", "discos", Gender::Masculine},
                              {"punto", "puntos", Gender::Masculine}},
                             {0.85, 0.1, 0.05});
    case Shape::Square:
      return {"cuadrado", "cuadrados", Gender::Masculine};
    case Shape::Triangle:
      return {"triángulo", "triángulos", Gender::Masculine};
    case Shape::Star:
      return {"estrella", "estrellas", Gender::Feminine};
    case Shape::Ring:
      return ch.pick<EsNoun>({{"anillo", "anillos", Gender::Masculine},
                              {"aro", "aros", Gender::Masculine},
                              {"dona", "donas", Gender::Feminine},
                              {"rosquilla", "rosquillas", Gender::Feminine}},
                             {0.6, 0.25, 0.1, 0.05});
  }
  return {"", "", Gender::Masculine};
}

/// Adjective with an -o/-a/-os/-as ending, from its stem ("roj" -> "roja").
std::string inflect(const std::string& stem, Gender g, bool plural) {
  return stem + (g == Gender::Masculine ? "o" : "a") + (plural ? "s" : "");
}

std::string esColour(Colour c, Gender g, bool plural, Chooser& ch) {
  switch (c) {
    case Colour::Red:
      return inflect("roj", g, plural);
    case Colour::Green:
      return plural ? "verdes" : "verde";
    case Colour::Blue:
      return plural ? "azules" : "azul";
    case Colour::Yellow:
      return inflect("amarill", g, plural);
    case Colour::Orange:
      return plural && ch.pick({0.6, 0.4}) == 0 ? "naranjas" : "naranja";
    case Colour::Purple:
      switch (ch.pick({0.7, 0.2, 0.1})) {
        case 0:
          return inflect("morad", g, plural);
        case 1:
          return plural ? "violetas" : "violeta";
        default:
          return plural ? "púrpuras" : "púrpura";
      }
    case Colour::White:
      return inflect("blanc", g, plural);
    case Colour::Black:
      return inflect("negr", g, plural);
  }
  return "";
}

/// The colour as a noun (masculine singular): "de verde a amarillo", "fondo azul".
std::string esColourNoun(Colour c, Chooser& ch) {
  return esColour(c, Gender::Masculine, false, ch);
}

std::string esCount(int n, Gender g, Chooser& ch) {
  const bool fem = g == Gender::Feminine;
  switch (n) {
    case 1:
      switch (ch.pick({0.55, 0.3, 0.15})) {
        case 0:
          return fem ? "una" : "un";
        case 1:
          return fem ? "una sola" : "un solo";
        default:
          return "1";
      }
    case 2:
      return ch.pick<std::string>({"dos", "2", "un par de"}, {0.7, 0.2, 0.1});
    case 3:
      return ch.pick<std::string>({"tres", "3"}, {0.78, 0.22});
    default:
      return ch.pick<std::string>({"cuatro", "4"}, {0.78, 0.22});
  }
}

/// "un círculo rojo pequeño", "una pequeña estrella roja", "dos estrellas amarillas".
std::string esNounPhrase(const ObjectGroup& g, bool numbered, Chooser& ch, Gender* genderOut) {
  const bool plural = g.count > 1;
  const EsNoun noun = esShape(g.shape, ch);
  if (genderOut) *genderOut = noun.gender;
  const std::string colour = g.colourStated ? esColour(g.colour, noun.gender, plural, ch) : "";
  std::string before, after;  // size adjective before or after the noun
  if (g.sizeStated) {
    if (g.size == SizeClass::Small) {
      const int w = ch.pick({0.6, 0.25, 0.15});
      const std::string stem = w == 0 ? "pequeñ" : w == 1 ? "chic" : "pequeñit";
      (w != 1 && ch.chance(0.3) ? before : after) = inflect(stem, noun.gender, plural);
    } else if (ch.chance(0.3)) {
      before = plural ? "grandes" : "gran";  // "un gran círculo", "dos grandes estrellas"
    } else {
      after = ch.pick({0.88, 0.12}) == 0 ? (plural ? "grandes" : "grande")
                                         : (plural ? "enormes" : "enorme");
    }
  }
  const std::string body = join({before, plural ? noun.plural : noun.singular, colour, after});
  if (numbered || plural) return esCount(g.count, noun.gender, ch) + " " + body;
  return (noun.gender == Gender::Feminine ? "una " : "un ") + body;
}

std::string esRegion(Region r, Gender g, Chooser& ch) {
  switch (r) {
    case Region::None:
      return "";
    case Region::Left:
      return ch.pick<std::string>({"a la izquierda", "en el lado izquierdo", "en la izquierda"},
                                  {0.6, 0.2, 0.2});
    case Region::Right:
      return ch.pick<std::string>({"a la derecha", "en el lado derecho", "en la derecha"},
                                  {0.6, 0.2, 0.2});
    case Region::Top:
      return ch.pick<std::string>({"arriba", "en la parte de arriba", "en la parte superior"},
                                  {0.5, 0.2, 0.3});
    case Region::Bottom:
      return ch.pick<std::string>({"abajo", "en la parte de abajo", "en la parte inferior"},
                                  {0.5, 0.2, 0.3});
    case Region::Centre:
      switch (ch.pick({0.6, 0.3, 0.1})) {
        case 0:
          return "en el centro";
        case 1:
          return "en el medio";
        default:
          return inflect("centrad", g, false);
      }
  }
  return "";
}

std::string esRelation(Relation r, Chooser& ch) {
  switch (r) {
    case Relation::LeftOf:
      return ch.pick<std::string>({"a la izquierda de", "al lado izquierdo de"}, {0.8, 0.2});
    case Relation::RightOf:
      return ch.pick<std::string>({"a la derecha de", "al lado derecho de"}, {0.8, 0.2});
    case Relation::Above:
      return ch.pick<std::string>({"encima de", "arriba de", "por encima de"}, {0.6, 0.2, 0.2});
    case Relation::Below:
      return ch.pick<std::string>({"debajo de", "bajo", "por debajo de"}, {0.6, 0.2, 0.2});
    case Relation::None:
      break;
  }
  return "";
}

std::string esBackground(const Background& bg, Chooser& ch) {
  const std::string a = esColourNoun(bg.from, ch);
  if (!bg.gradient) {
    switch (ch.pick({0.35, 0.2, 0.1, 0.15, 0.05, 0.05, 0.1})) {
      case 0:
        return " sobre fondo " + a;
      case 1:
        return " sobre un fondo " + a;
      case 2:
        return " en un fondo " + a;
      case 3:
        return " con fondo " + a;
      case 4:
        return ", fondo " + a;
      case 5:
        return " sobre " + a;
      default:
        return " con un fondo de color " + a;
    }
  }
  const std::string b = esColourNoun(bg.to, ch);
  switch (ch.pick({0.35, 0.25, 0.15, 0.1, 0.15})) {
    case 0:
      return " sobre un degradado de " + a + " a " + b;
    case 1:
      return " con fondo degradado de " + a + " a " + b;
    case 2:
      return " sobre un fondo que va de " + a + " a " + b;
    case 3:
      return " en degradado de " + a + " a " + b;
    default:
      return " sobre un degradado del " + a + " al " + b;
  }
}

std::string spanishCaption(const Scene& scene, Chooser& ch) {
  const ObjectGroup& a = scene.groups.front();
  std::string objects;
  switch (scene.kind) {
    case SceneKind::Single: {
      Gender gender = Gender::Masculine;
      objects = esNounPhrase(a, false, ch, &gender);
      if (a.region != Region::None) objects += " " + esRegion(a.region, gender, ch);
      break;
    }
    case SceneKind::Counting:
      objects = esNounPhrase(a, true, ch, nullptr);
      break;
    case SceneKind::Positional: {
      const bool swap = ch.chance(0.35);
      const ObjectGroup& first = swap ? scene.groups[1] : a;
      const ObjectGroup& second = swap ? a : scene.groups[1];
      const Relation rel = swap ? inverse(scene.relation) : scene.relation;
      objects = esNounPhrase(first, false, ch, nullptr) + " " + esRelation(rel, ch) + " " +
                esNounPhrase(second, false, ch, nullptr);
      break;
    }
    case SceneKind::TwoObjects:
    case SceneKind::ColourAttribution: {
      const bool swap = ch.chance(0.5);
      const ObjectGroup& first = swap ? scene.groups[1] : a;
      const ObjectGroup& second = swap ? a : scene.groups[1];
      const std::string conj = ch.pick<std::string>({" y ", " junto a ", " con ", " al lado de "},
                                                    {0.75, 0.1, 0.1, 0.05});
      objects =
          esNounPhrase(first, false, ch, nullptr) + conj + esNounPhrase(second, false, ch, nullptr);
      break;
    }
  }
  std::string text = objects;
  if (scene.background.stated) text += esBackground(scene.background, ch);
  if (ch.chance(0.35)) {
    static const char* const fillers[] = {
        "una imagen de ", "un dibujo de ", "una foto de ", "una ilustración de ",
        "dibujo de ",     "imagen de ",    "dibuja "};
    text = fillers[ch.pick({0.22, 0.22, 0.12, 0.1, 0.12, 0.1, 0.12})] + text;
  }
  return text;
}

/// Drops Spanish accents (á é í ó ú -> a e i o u; ñ is kept), as people often type.
std::string stripAccents(const std::string& text) {
  static const char* const pairs[][2] = {
      {"á", "a"}, {"é", "e"}, {"í", "i"}, {"ó", "o"}, {"ú", "u"}};
  std::string out = text;
  for (const auto& p : pairs)
    for (size_t pos = out.find(p[0]); pos != std::string::npos; pos = out.find(p[0], pos))
      out.replace(pos, std::string(p[0]).size(), p[1]);
  return out;
}

std::string build(const Scene& scene, Language language, Chooser& ch) {
  validateSpec(scene);
  std::string text =
      language == Language::English ? englishCaption(scene, ch) : spanishCaption(scene, ch);
  if (language == Language::Spanish && ch.chance(0.08)) text = stripAccents(text);
  if (ch.chance(0.15) && std::islower(static_cast<unsigned char>(text[0])))
    text[0] = char(std::toupper(static_cast<unsigned char>(text[0])));
  if (ch.chance(0.1)) text += ".";
  return text;
}

}  // namespace

const char* languageCode(Language language) {
  return language == Language::English ? "en" : "es";
}

Language languageFromCode(const std::string& code) {
  if (code == "en" || code == "english") return Language::English;
  if (code == "es" || code == "spanish" || code == "español") return Language::Spanish;
  throw std::invalid_argument("unknown caption language '" + code + "' (expected en or es)");
}

std::string caption(const Scene& scene, Language language, std::mt19937_64& rng) {
  Chooser ch(&rng);
  return build(scene, language, ch);
}

std::string canonicalCaption(const Scene& scene, Language language) {
  Chooser ch(nullptr);
  return build(scene, language, ch);
}

std::vector<std::string> captionCorpus(uint64_t seed, int count, const SceneOptions& options) {
  if (count < 0) throw std::invalid_argument("captionCorpus: negative count");
  std::mt19937_64 rng(seed);
  std::vector<std::string> lines;
  lines.reserve(count);
  for (int i = 0; i < count; ++i) {
    const Scene scene = sampleScene(rng, options);
    lines.push_back(caption(scene, i % 2 == 0 ? Language::English : Language::Spanish, rng));
  }
  return lines;
}

}  // namespace lienzo::train
