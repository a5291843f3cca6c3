// Name completion in a prompt box: after `<lora:` (or `<lyco:`) it offers the library's LoRA
// names and completes the tag (`<lora:name:1>`); elsewhere a word of two or more characters is
// completed with the library's embedding names.
//
// Contract: UI thread. Attaches to one QPlainTextEdit (not owned; the completer is its child
// and goes with it). Completion follows typing only: text set by code (restore, the network
// browser) opens no popup. The popup never takes the focus: Up / Down move in it, Enter / Tab
// accept the highlighted name (or a click does), Escape closes it.
#pragma once

#include <QObject>
#include <QStringList>

class QListWidget;
class QPlainTextEdit;

namespace lienzo::ui {

class PromptCompleter : public QObject {
  Q_OBJECT

 public:
  enum class Kind { None, Lora, Word };
  /// What is being typed just before the cursor.
  struct Context {
    Kind kind = Kind::None;
    QString prefix;  ///< the part of the name typed so far
  };
  static Context contextBefore(const QString& textBeforeCursor);

  explicit PromptCompleter(QPlainTextEdit* edit);

  void setNames(const QStringList& loras, const QStringList& embeddings);
  QListWidget* popup() const { return m_popup; }
  /// The names the popup offers now, best first (empty when it is closed).
  QStringList offered() const;
  /// Recomputes the completion at the cursor and opens or closes the popup (called on typing).
  void update();
  /// Replaces the typed prefix with `name` (and closes a LoRA tag).
  void insert(const QString& name);

 protected:
  bool eventFilter(QObject* watched, QEvent* event) override;

 private:
  static constexpr int kMaxOffered = 50;
  QPlainTextEdit* m_edit;
  QListWidget* m_popup;
  QStringList m_loras;
  QStringList m_embeddings;
  Context m_context;
  bool m_typing = false;
};

}  // namespace lienzo::ui
