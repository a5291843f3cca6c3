// Captions: canonical wording, Spanish agreement, every stated attribute and nothing else,
// variety, the tokenizer corpus.
#include "core/train/captions.h"

#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <set>
#include <sstream>

namespace lienzo::train {
namespace {

Scene spec(std::vector<ObjectGroup> groups, Relation relation = Relation::None) {
  Scene s;
  s.groups = std::move(groups);
  s.relation = relation;
  if (relation != Relation::None)
    s.kind = SceneKind::Positional;
  else if (s.groups.size() == 2)
    s.kind = SceneKind::ColourAttribution;
  else
    s.kind = s.groups[0].count > 1 ? SceneKind::Counting : SceneKind::Single;
  return s;
}

ObjectGroup group(Shape shape, Colour colour, int count = 1) {
  ObjectGroup g;
  g.shape = shape;
  g.colour = colour;
  g.count = count;
  return g;
}

Background solid(Colour c) {
  Background bg;
  bg.from = bg.to = c;
  bg.stated = true;
  return bg;
}

std::vector<std::string> words(const std::string& text) {
  std::vector<std::string> out;
  std::string w;
  for (char c : text) {
    if (c == ' ' || c == ',' || c == '.' || c == ':') {
      if (!w.empty()) out.push_back(w);
      w.clear();
    } else {
      w += char(std::tolower(static_cast<unsigned char>(c)));
    }
  }
  if (!w.empty()) out.push_back(w);
  return out;
}

bool hasWord(const std::string& text, const std::string& word) {
  for (const std::string& w : words(text))
    if (w == word) return true;
  return false;
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(Captions, CanonicalEnglishAndSpanish) {
  Scene s = spec({group(Shape::Circle, Colour::Red)});
  s.background = solid(Colour::Blue);
  EXPECT_EQ(canonicalCaption(s, Language::English), "a red circle on a blue background");
  EXPECT_EQ(canonicalCaption(s, Language::Spanish), "un círculo rojo sobre fondo azul");

  const Scene stars = spec({group(Shape::Star, Colour::Yellow, 2)});
  EXPECT_EQ(canonicalCaption(stars, Language::English), "two yellow stars");
  EXPECT_EQ(canonicalCaption(stars, Language::Spanish), "dos estrellas amarillas");

  const Scene star = spec({group(Shape::Star, Colour::Red)});
  EXPECT_EQ(canonicalCaption(star, Language::Spanish), "una estrella roja");
  EXPECT_EQ(canonicalCaption(star, Language::English), "a red star");

  Scene orange = spec({group(Shape::Ring, Colour::Orange)});
  orange.groups[0].sizeStated = true;
  orange.groups[0].size = SizeClass::Large;
  EXPECT_EQ(canonicalCaption(orange, Language::English), "a large orange ring");
  EXPECT_EQ(canonicalCaption(orange, Language::Spanish), "un anillo naranja grande");
  orange.groups[0].sizeStated = false;
  EXPECT_EQ(canonicalCaption(orange, Language::English), "an orange ring");

  Scene gradient = spec({group(Shape::Square, Colour::Purple)});
  gradient.background.gradient = true;
  gradient.background.from = Colour::Green;
  gradient.background.to = Colour::Yellow;
  gradient.background.stated = true;
  EXPECT_EQ(canonicalCaption(gradient, Language::English),
            "a purple square on a gradient from green to yellow");
  EXPECT_EQ(canonicalCaption(gradient, Language::Spanish),
            "un cuadrado morado sobre un degradado de verde a amarillo");

  const Scene left =
      spec({group(Shape::Circle, Colour::Red), group(Shape::Star, Colour::Blue)}, Relation::LeftOf);
  EXPECT_EQ(canonicalCaption(left, Language::English), "a red circle to the left of a blue star");
  EXPECT_EQ(canonicalCaption(left, Language::Spanish),
            "un círculo rojo a la izquierda de una estrella azul");
  const Scene above = spec({group(Shape::Star, Colour::White), group(Shape::Square, Colour::Black)},
                           Relation::Above);
  EXPECT_EQ(canonicalCaption(above, Language::Spanish),
            "una estrella blanca encima de un cuadrado negro");
  const Scene below = spec({group(Shape::Triangle, Colour::Green), group(Shape::Ring, Colour::Red)},
                           Relation::Below);
  EXPECT_EQ(canonicalCaption(below, Language::English), "a green triangle below a red ring");
  EXPECT_EQ(canonicalCaption(below, Language::Spanish),
            "un triángulo verde debajo de un anillo rojo");

  const Scene pair = spec({group(Shape::Circle, Colour::Red), group(Shape::Square, Colour::Blue)});
  EXPECT_EQ(canonicalCaption(pair, Language::English), "a red circle and a blue square");
  EXPECT_EQ(canonicalCaption(pair, Language::Spanish), "un círculo rojo y un cuadrado azul");

  Scene region = spec({group(Shape::Star, Colour::Green)});
  region.groups[0].region = Region::Left;
  EXPECT_EQ(canonicalCaption(region, Language::English), "a green star on the left");
  EXPECT_EQ(canonicalCaption(region, Language::Spanish), "una estrella verde a la izquierda");
}

TEST(Captions, DeterministicGivenTheGenerator) {
  const Scene s = sampleScene(uint64_t(4));
  std::mt19937_64 a(9), b(9);
  for (int i = 0; i < 20; ++i) {
    EXPECT_EQ(caption(s, Language::English, a), caption(s, Language::English, b));
    EXPECT_EQ(caption(s, Language::Spanish, a), caption(s, Language::Spanish, b));
  }
}

// ---- Spanish agreement -------------------------------------------------------------------------

struct NounInfo {
  bool feminine, plural;
};

/// Shape nouns (with and without accents, as captions may drop them).
const std::map<std::string, NounInfo>& spanishNouns() {
  static const std::map<std::string, NounInfo> nouns = [] {
    std::map<std::string, NounInfo> m;
    for (const char* n : {"círculo", "circulo", "disco", "punto", "cuadrado", "triángulo",
                          "triangulo", "anillo", "aro"}) {
      m[n] = {false, false};
      m[std::string(n) + "s"] = {false, true};
    }
    for (const char* n : {"estrella", "dona", "rosquilla"}) {
      m[n] = {true, false};
      m[std::string(n) + "s"] = {true, true};
    }
    return m;
  }();
  return nouns;
}

/// For an -o/-a adjective form, its gender and number; false for other words.
bool inflected(const std::string& w, NounInfo& info) {
  for (const char* stem :
       {"roj", "amarill", "morad", "blanc", "negr", "pequeñ", "chic", "pequeñit", "centrad"}) {
    const std::string s = stem;
    if (w.size() < s.size() + 1 || w.compare(0, s.size(), s) != 0) continue;
    const std::string end = w.substr(s.size());
    if (end == "o" || end == "a" || end == "os" || end == "as") {
      info = {end[0] == 'a', end.size() == 2};
      return true;
    }
  }
  return false;
}

/// Number of the invariable colour/size adjectives (verde, azul, grande...); false otherwise.
bool invariable(const std::string& w, bool& plural) {
  static const std::map<std::string, bool> forms = {
      {"verde", false},   {"verdes", true},   {"azul", false},    {"azules", true},
      {"grande", false},  {"grandes", true},  {"gran", false},    {"enorme", false},
      {"enormes", true},  {"violeta", false}, {"violetas", true}, {"púrpura", false},
      {"purpura", false}, {"púrpuras", true}, {"purpuras", true}, {"naranjas", true}};
  const auto it = forms.find(w);
  if (it == forms.end()) return false;
  plural = it->second;
  return true;
}

/// Checks article/number + noun + adjectives agreement in one Spanish caption.
void expectSpanishAgreement(const std::string& text) {
  const std::vector<std::string> w = words(text);
  int nouns = 0;
  for (size_t i = 0; i < w.size(); ++i) {
    const auto it = spanishNouns().find(w[i]);
    if (it == spanishNouns().end()) continue;
    ++nouns;
    const NounInfo noun = it->second;
    // Words after the noun: colour then size adjectives (stop at anything else).
    for (size_t j = i + 1; j < w.size() && j <= i + 2; ++j) {
      NounInfo adj;
      bool plural;
      if (inflected(w[j], adj)) {
        EXPECT_EQ(adj.feminine, noun.feminine) << "'" << w[i] << " " << w[j] << "' in: " << text;
        EXPECT_EQ(adj.plural, noun.plural) << "'" << w[i] << " " << w[j] << "' in: " << text;
      } else if (invariable(w[j], plural)) {
        EXPECT_EQ(plural, noun.plural) << "'" << w[i] << " " << w[j] << "' in: " << text;
      } else if (w[j] != "naranja") {
        break;
      }
    }
    // Before the noun: an optional size adjective, then the determiner.
    size_t k = i;
    if (k > 0) {
      NounInfo adj;
      bool plural;
      if (inflected(w[k - 1], adj)) {
        EXPECT_EQ(adj.feminine, noun.feminine) << text;
        EXPECT_EQ(adj.plural, noun.plural) << text;
        --k;
      } else if (invariable(w[k - 1], plural)) {
        EXPECT_EQ(plural, noun.plural) << text;
        --k;
      }
    }
    ASSERT_GT(k, 0u) << "no determiner before '" << w[i] << "' in: " << text;
    const std::string& det = w[k - 1];
    const std::string& det2 = k >= 2 ? w[k - 2] : std::string();
    if (det == "un" || det == "una") {
      EXPECT_FALSE(noun.plural) << text;
      EXPECT_EQ(det == "una", noun.feminine) << text;
    } else if (det == "solo" || det == "sola") {
      EXPECT_EQ(det2 == "una", noun.feminine) << text;
      EXPECT_EQ(det == "sola", noun.feminine) << text;
      EXPECT_FALSE(noun.plural) << text;
    } else if (det == "1") {
      EXPECT_FALSE(noun.plural) << text;
    } else if (det == "dos" || det == "tres" || det == "cuatro" || det == "2" || det == "3" ||
               det == "4" || (det == "de" && det2 == "par")) {
      EXPECT_TRUE(noun.plural) << text;
    } else {
      ADD_FAILURE() << "unexpected determiner '" << det << "' before '" << w[i] << "' in: " << text;
    }
  }
  EXPECT_GE(nouns, 1) << text;
}

TEST(Captions, SpanishAgreesInGenderAndNumber) {
  std::mt19937_64 rng(77);
  for (int i = 0; i < 3000; ++i) {
    const Scene s = sampleScene(rng);
    expectSpanishAgreement(caption(s, Language::Spanish, rng));
  }
  // The checker itself catches the mistakes it is meant to catch.
  EXPECT_NONFATAL_FAILURE(expectSpanishAgreement("un estrella roja"), "");
  EXPECT_NONFATAL_FAILURE(expectSpanishAgreement("una estrella rojo"), "");
  EXPECT_NONFATAL_FAILURE(expectSpanishAgreement("dos estrellas amarilla"), "");
  EXPECT_NONFATAL_FAILURE(expectSpanishAgreement("dos estrella amarilla"), "");
  EXPECT_NONFATAL_FAILURE(expectSpanishAgreement("un círculo azules"), "");
}

// ---- what a caption states ---------------------------------------------------------------------

const std::map<Colour, std::vector<std::string>> kEnColours = {
    {Colour::Red, {"red"}},       {Colour::Green, {"green"}},
    {Colour::Blue, {"blue"}},     {Colour::Yellow, {"yellow"}},
    {Colour::Orange, {"orange"}}, {Colour::Purple, {"purple", "violet"}},
    {Colour::White, {"white"}},   {Colour::Black, {"black"}}};
const std::map<Shape, std::vector<std::string>> kEnShapes = {
    {Shape::Circle, {"circle", "disc", "dot"}},
    {Shape::Square, {"square"}},
    {Shape::Triangle, {"triangle"}},
    {Shape::Star, {"star"}},
    {Shape::Ring, {"ring", "donut", "circle"}}};  // "hollow circle"
const std::map<Colour, std::vector<std::string>> kEsColours = {
    {Colour::Red, {"roj"}},        {Colour::Green, {"verde"}},
    {Colour::Blue, {"azul"}},      {Colour::Yellow, {"amarill"}},
    {Colour::Orange, {"naranja"}}, {Colour::Purple, {"morad", "violeta", "púrpura", "purpura"}},
    {Colour::White, {"blanc"}},    {Colour::Black, {"negr"}}};
const std::map<Shape, std::vector<std::string>> kEsShapes = {
    {Shape::Circle, {"círculo", "circulo", "disco", "punto"}},
    {Shape::Square, {"cuadrado"}},
    {Shape::Triangle, {"triángulo", "triangulo"}},
    {Shape::Star, {"estrella"}},
    {Shape::Ring, {"anillo", "aro", "dona", "rosquilla"}}};

/// Whether some word of `text` starts with one of `stems` (covers plural/gender endings).
bool mentions(const std::string& text, const std::vector<std::string>& stems) {
  for (const std::string& w : words(text))
    for (const std::string& s : stems)
      if (w.compare(0, s.size(), s) == 0 && w.size() <= s.size() + 3) return true;
  return false;
}

void expectStatesExactly(const Scene& s, const std::string& text, Language lang) {
  const auto& colours = lang == Language::English ? kEnColours : kEsColours;
  const auto& shapes = lang == Language::English ? kEnShapes : kEsShapes;
  std::set<Colour> allowed;
  for (const ObjectGroup& g : s.groups) {
    EXPECT_TRUE(mentions(text, shapes.at(g.shape))) << shapeName(g.shape) << " in: " << text;
    if (g.colourStated) {
      EXPECT_TRUE(mentions(text, colours.at(g.colour))) << colourName(g.colour) << ": " << text;
      allowed.insert(g.colour);
    }
  }
  if (s.background.stated) allowed.insert({s.background.from, s.background.to});
  for (const auto& [colour, stems] : colours)
    if (!allowed.count(colour)) {
      EXPECT_FALSE(mentions(text, stems)) << "invented " << colourName(colour) << ": " << text;
    }
  const bool sized = std::any_of(s.groups.begin(), s.groups.end(),
                                 [](const ObjectGroup& g) { return g.sizeStated; });
  const std::vector<std::string> sizeWords =
      lang == Language::English
          ? std::vector<std::string>{"small", "tiny", "little", "large", "big", "huge"}
          : std::vector<std::string>{"pequeñ", "pequeñit", "chic", "grande", "gran", "enorme"};
  EXPECT_EQ(mentions(text, sizeWords), sized) << text;
  bool background = false;
  if (lang == Language::English) {
    // "... background", "... backdrop", "... gradient", or "on blue" / "over blue".
    background =
        contains(text, "background") || contains(text, "backdrop") || contains(text, "gradient");
    for (const auto& [colour, names] : kEnColours)
      for (const std::string& n : names)
        background = background || contains(text + " ", " on " + n + " ") ||
                     contains(text + " ", " on " + n + ".") ||
                     contains(text + " ", " over " + n + " ") ||
                     contains(text + " ", " over " + n + ".");
  } else {
    background = hasWord(text, "fondo") || hasWord(text, "degradado") || hasWord(text, "sobre");
  }
  EXPECT_EQ(background, s.background.stated) << text;
  if (s.kind == SceneKind::Counting) {
    static const std::vector<std::vector<std::string>> en = {
        {}, {"one", "single", "1"}, {"two", "2", "pair"}, {"three", "3"}, {"four", "4"}};
    static const std::vector<std::vector<std::string>> es = {
        {}, {"un", "una", "1"}, {"dos", "2", "par"}, {"tres", "3"}, {"cuatro", "4"}};
    const auto& numbers = (lang == Language::English ? en : es)[s.groups[0].count];
    EXPECT_TRUE(std::any_of(numbers.begin(), numbers.end(), [&](const std::string& n) {
      return hasWord(text, n);
    })) << text;
  }
}

TEST(Captions, StateEverythingAskedAndNothingElse) {
  std::mt19937_64 rng(31);
  for (int i = 0; i < 1500; ++i) {
    const Scene s = sampleScene(rng);
    expectStatesExactly(s, caption(s, Language::English, rng), Language::English);
    expectStatesExactly(s, caption(s, Language::Spanish, rng), Language::Spanish);
    expectStatesExactly(s, canonicalCaption(s, Language::English), Language::English);
    expectStatesExactly(s, canonicalCaption(s, Language::Spanish), Language::Spanish);
  }
}

TEST(Captions, WordingVaries) {
  Scene s = spec({group(Shape::Circle, Colour::Red)});
  s.groups[0].sizeStated = true;
  s.background = solid(Colour::Blue);
  std::set<std::string> en, es;
  std::string allEn, allEs;
  std::mt19937_64 rng(1);
  for (int i = 0; i < 400; ++i) {
    en.insert(caption(s, Language::English, rng));
    es.insert(caption(s, Language::Spanish, rng));
  }
  for (const auto& c : en) allEn += c + "\n";
  for (const auto& c : es) allEs += c + "\n";
  EXPECT_GE(en.size(), 40u);
  EXPECT_GE(es.size(), 40u);
  for (const char* part : {"tiny", "little", "small", "a picture of", "an image of", " on blue",
                           "on a blue background", "A "})
    EXPECT_TRUE(contains(allEn, part)) << part;
  for (const char* part :
       {"pequeño", "chico", "sobre fondo azul", "una imagen de", "un dibujo de", "circulo"})
    EXPECT_TRUE(contains(allEs, part)) << part;

  Scene big = s;
  big.groups[0].size = SizeClass::Large;
  std::string bigEn, bigEs;
  for (int i = 0; i < 200; ++i) {
    bigEn += caption(big, Language::English, rng) + "\n";
    bigEs += caption(big, Language::Spanish, rng) + "\n";
  }
  EXPECT_TRUE(contains(bigEn, "big") && contains(bigEn, "large"));
  EXPECT_TRUE(contains(bigEs, "grande") && contains(bigEs, "un gran "));

  // Relations are also said the other way round ("B right of A").
  const Scene left =
      spec({group(Shape::Circle, Colour::Red), group(Shape::Star, Colour::Blue)}, Relation::LeftOf);
  std::string rel;
  for (int i = 0; i < 100; ++i) rel += caption(left, Language::English, rng) + "\n";
  EXPECT_TRUE(contains(rel, "star to the right of a red circle") ||
              contains(rel, "star right of a red circle"));
}

TEST(Captions, CorpusAlternatesLanguages) {
  const std::vector<std::string> lines = captionCorpus(5, 400);
  ASSERT_EQ(lines.size(), 400u);
  EXPECT_EQ(lines, captionCorpus(5, 400));
  EXPECT_NE(lines, captionCorpus(6, 400));
  for (size_t i = 0; i < lines.size(); ++i) {
    EXPECT_FALSE(lines[i].empty());
    const bool english = i % 2 == 0;
    for (const auto& [shape, nouns] : kEnShapes)
      for (const std::string& n : nouns)
        if (english == false) {
          EXPECT_FALSE(hasWord(lines[i], n) || hasWord(lines[i], n + "s")) << lines[i];
        }
    for (const auto& [shape, nouns] : kEsShapes)
      for (const std::string& n : nouns)
        if (english) {
          EXPECT_FALSE(hasWord(lines[i], n) || hasWord(lines[i], n + "s")) << lines[i];
        }
  }
  EXPECT_TRUE(captionCorpus(1, 0).empty());
  EXPECT_THROW(captionCorpus(1, -1), std::invalid_argument);
}

TEST(Captions, LanguageCodes) {
  EXPECT_EQ(languageFromCode("en"), Language::English);
  EXPECT_EQ(languageFromCode("es"), Language::Spanish);
  EXPECT_STREQ(languageCode(Language::Spanish), "es");
  EXPECT_THROW(languageFromCode("fr"), std::invalid_argument);
}

}  // namespace
}  // namespace lienzo::train
