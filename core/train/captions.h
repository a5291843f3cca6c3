// Captions for procedural scenes, in English and Spanish, worded the way people type prompts:
// synonyms (tiny/little/small, big/large; pequeño/chico, grande/gran), optional fillers ("a picture
// of ...", "un dibujo de ..."), several background phrasings ("on a blue background", "on blue",
// "sobre fondo azul"), gradients ("from green to yellow", "de verde a amarillo"), digits or words
// for counts, relations in either order ("A left of B" or "B right of A").
//
// Contract
// - A caption states exactly what the scene's spec states: every group's shape and count, its
//   colour when colourStated, its size when sizeStated, its region, the relation, and the
//   background when background.stated. Nothing else (it never invents an attribute).
// - Spanish agrees in gender and number ("una estrella roja", "dos estrellas amarillas", "un
//   círculo rojo"); UTF-8. A small share of Spanish captions drop accents, as people type.
// - Deterministic given the generator state; canonicalCaption uses no randomness.
// - Threads: no shared state. std::invalid_argument for an invalid spec (validateSpec).
#pragma once

#include "core/train/scene.h"

#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace lienzo::train {

enum class Language : uint8_t { English, Spanish };

/// "en" / "es".
const char* languageCode(Language language);
/// Parses "en"/"english", "es"/"spanish"/"español"; std::invalid_argument otherwise.
Language languageFromCode(const std::string& code);

/// A caption with randomly varied wording.
std::string caption(const Scene& scene, Language language, std::mt19937_64& rng);
/// The plain wording ("a small red circle on a blue background" / "un círculo rojo pequeño sobre
/// fondo azul"), e.g. for evaluation prompts and logs.
std::string canonicalCaption(const Scene& scene, Language language);

/// `count` captions of sampled scenes, alternating English and Spanish (even lines English), for
/// training the tokenizer. Same seed, same lines.
std::vector<std::string> captionCorpus(uint64_t seed, int count, const SceneOptions& options = {});

}  // namespace lienzo::train
