<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en_US">
    <context>
        <name>GalleryStore</name>
        <message>
            <source>Could not move %1 to the trash: %2</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Could not delete %1: %2</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Cannot create the gallery folder %1.</source>
            <translation type="unfinished" />
        </message>
    </context>
    <context>
        <name>ModelCatalog</name>
        <message>
            <source>Built-in model (not installed)</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Built-in model</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Built-in</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Other</source>
            <translation type="unfinished" />
        </message>
    </context>
    <context>
        <name>PngMetadata</name>
        <message>
            <source>Could not encode the image as PNG.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Could not add the metadata to the PNG: %1</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Cannot write %1: %2</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Cannot open %1: %2</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>%1 is not a readable PNG: %2</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>The metadata in %1 could not be read: %2</source>
            <translation type="unfinished" />
        </message>
    </context>
    <context>
        <name>Studio</name>
        <message>
            <source>Save a screenshot of the main window to &lt;file&gt; and exit.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Interface language (en, es).</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Gallery folder for this run.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Images to open (their parameters are restored).</source>
            <translation type="unfinished" />
        </message>
    </context>
    <context>
        <name>lienzo::ui::CompareView</name>
        <message>
            <source>Select two images in the gallery and choose Compare.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Wipe: left of the line is A, right of it is B</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Side by side</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Wipe</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Zoom to fit</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Actual size (1:1)</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Parameter</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>A</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>B</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>A: %1</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>B: %1</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Prompt</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Negative prompt</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Only differences</source>
            <translation type="unfinished" />
        </message>
    </context>
    <context>
        <name>lienzo::ui::ForwardProcessView</name>
        <message>
            <source>Open image…</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Seed of the noise ε</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Noise seed</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Pick an image in the gallery and choose Forward process, or open an image file.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>x_t appears here.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Timestep t: 0 is the clean image, the end is almost pure noise</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>t</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Computing x_%1…</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>t = %1   ᾱ_t = %2   SNR = %3</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>t = %1</source>
            <translation type="unfinished" />
        </message>
    </context>
    <context>
        <name>lienzo::ui::GalleryView</name>
        <message>
            <source>Favourite</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Mark or unmark as favourite (F)</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Restore parameters</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Compare</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Compare the two selected images</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Forward process</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Show how noise destroys this image</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Delete</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Favourites only</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Show only favourites</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Refresh</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Delete images</source>
            <translation type="unfinished" />
        </message>
        <message numerus="yes">
            <source>Delete %n selected image(s)?</source>
            <translation>
                <numerusform>Delete %n selected image?</numerusform>
                <numerusform>Delete %n selected images?</numerusform>
            </translation>
        </message>
        <message>
            <source>Move to Trash</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Delete Permanently</source>
            <translation type="unfinished" />
        </message>
    </context>
    <context>
        <name>lienzo::ui::GenerationController</name>
        <message>
            <source>Cancelled before it started.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Cancelled on exit.</source>
            <translation type="unfinished" />
        </message>
    </context>
    <context>
        <name>lienzo::ui::GenerationWorker</name>
        <message>
            <source>Cancelled before it started.</source>
            <translation type="unfinished" />
        </message>
        <message numerus="yes">
            <source>Cancelled after %n image(s).</source>
            <translation>
                <numerusform>Cancelled after %n image.</numerusform>
                <numerusform>Cancelled after %n images.</numerusform>
            </translation>
        </message>
        <message>
            <source>Unknown error in the generation core.</source>
            <translation type="unfinished" />
        </message>
    </context>
    <context>
        <name>lienzo::ui::JobQueue</name>
        <message>
            <source>Queued</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Running</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Completed</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Failed</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Cancelled</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>(empty prompt)</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>#%1 %2 — %3</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>(image %1/%2, step %3/%4)</source>
            <translation type="unfinished" />
        </message>
    </context>
    <context>
        <name>lienzo::ui::LibraryPage</name>
        <message>
            <source>The library settings could not be read; they are left as they are: %1</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Lienzo reads checkpoints, LoRAs, embeddings, VAEs and ControlNets where they lie: add an AUTOMATIC1111 or ComfyUI install (its model folders and extra_model_paths.yaml) or any folder. Nothing is copied.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Kind</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Contents</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Folder</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Add A1111 install…</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Add ComfyUI install…</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Add folder…</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>What a plain folder holds</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Remove</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Rescan now</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>holding</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>A1111 install</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>ComfyUI install</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Detect per file</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Checkpoints</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>LoRAs</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Embeddings</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>VAEs</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>ControlNets</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Choose the AUTOMATIC1111 folder</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Choose the ComfyUI folder</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Choose a folder of models</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>%1 is in the list already.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>%1 does not look like a %2; added anyway (check the folder).</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Every model folder</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>This folder does not exist (now).</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>No library yet: add an install or a folder.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Stored in %1</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>The library settings were not saved: the file could not be read.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Preview decoders (TAESD)</source>
            <translation type="unfinished" />
        </message>
    </context>
    <context>
        <name>lienzo::ui::LibraryScanner</name>
        <message>
            <source>The library folder %1 does not exist.</source>
            <translation type="unfinished" />
        </message>
    </context>
    <context>
        <name>lienzo::ui::MainWindow</name>
        <message>
            <source>Lienzo</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Generate</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Compare</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Forward process</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>&lt;b&gt;Queue&lt;/b&gt;</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>The image could not be saved to the gallery: %1</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Forward process: %1</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Type a prompt and press Generate (Ctrl+Enter).
Every step appears here as the noise resolves into an image.

Drop a PNG from Lienzo, A1111, ComfyUI or InvokeAI here to restore its parameters.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Zoom to fit (Ctrl+0)</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Actual size, 1:1 (Ctrl+1)</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>&amp;File</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>&amp;Open image for the forward process…</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>&amp;Restore parameters from image…</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Restore parameters from image</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>PNG images (*.png)</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>&amp;Settings…</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>&amp;Quit</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>&amp;Generate</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>&amp;Stop now</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>&amp;Finish current image</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>&amp;View</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Zoom to &amp;fit</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>&amp;Actual size</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Zoom &amp;in</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Zoom &amp;out</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>&amp;Play the steps</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>&amp;Help</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>&amp;About Lienzo</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Ready</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>%v/%m</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>No model to generate with: the built-in model is not installed. Add a model with “Add model…” next to the model picker.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Queued job #%1</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Stopping…</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Finishing the current image…</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Loading the model and encoding the prompt…</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Step %1</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Image %1/%2 · </source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Step %1/%2</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source> · %1 it/s</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source> · ETA %1</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Final</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Done: job #%1</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Cancelled: job #%1</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Failed: job #%1</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Generation failed: %1</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>%1 carries no generation parameters.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Model “%1” is not in your model list; kept “%2”.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Could not read “%1”.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Restored the parameters of %1.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Restored the parameters of %1, except: %2</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Cannot open %1.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Open an image</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Images (*.png *.jpg *.jpeg *.webp *.bmp)</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>About Lienzo</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>&lt;b&gt;Lienzo %1&lt;/b&gt;&lt;br&gt;A native latent-diffusion image studio.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Gallery</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>LoRA &amp;&amp; embeddings</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Scanning the model library…</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Scanning the model library: %1/%2 files</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Job #%1: %2</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Res&amp;can model library</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>LoRA “%1” is “%2” in your library (same hash); the prompt uses that name.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>LoRA “%1” (hash %2) is not in your library.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>The model library settings were not saved: %1</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>The model library settings could not be read: %1</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Model library: %1 checkpoints, %2 LoRAs, %3 embeddings</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Model library: %1</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>The model library is still being hashed; restore again when it is done.</source>
            <translation type="unfinished" />
        </message>
    </context>
    <context>
        <name>lienzo::ui::MessageBar</name>
        <message>
            <source>Dismiss</source>
            <translation type="unfinished" />
        </message>
    </context>
    <context>
        <name>lienzo::ui::NetworkBrowser</name>
        <message>
            <source>Filter by name…</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>LoRA</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Embeddings</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Text encoder</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Model</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Strength on the text encoder (−2 … 2)</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Strength on the diffusion model (−2 … 2)</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>LoRA (%1)</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Embeddings (%1)</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>TI</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>pickle</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Family: %1</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Not loadable: %1</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Made for %1; the current model is %2.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>&lt;b&gt;%1&lt;/b&gt; in the prompt</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Click a LoRA to add it to the prompt.</source>
            <translation type="unfinished" />
        </message>
    </context>
    <context>
        <name>lienzo::ui::PromptPanel</name>
        <message>
            <source>Generate</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Generate (Ctrl+Enter)</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Cancel</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Stop now</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Finish current image</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>&amp;Prompt</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Recent</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Recent prompts</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Describe the image you want…</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>&amp;Negative prompt</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>What the image should avoid…</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Add model…</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Add model file (.safetensors)…</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Add folder of models…</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>&amp;Model</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>&amp;Sampler</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Sc&amp;hedule</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>S&amp;teps</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>&amp;CFG scale</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Width in pixels (a multiple of 8)</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Height in pixels (a multiple of 8)</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Presets</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>%1 × %2</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Si&amp;ze</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Seed; −1 picks a random seed for every image</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Random seed (−1)</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Reuse the last image's seed</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>S&amp;eed</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>How many images to make; image i uses seed + i</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>&amp;Batch count</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Automatic</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>float32</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>bfloat16</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>float16</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>&amp;Device</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Steps %1 is out of range.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Unknown sampler “%1”; kept %2.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Unknown schedule “%1”; kept %2.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Size %1×%2 is outside %3–%4.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Add a folder of models</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Add a model</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Safetensors checkpoints (*.safetensors)</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Reuse the last image's seed (%1)</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>No recent prompts</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Clear history</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Stop now (Esc). The arrow offers “Finish current image” (Shift+Esc).</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Uniform</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Exponential</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Polyexponential</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>SGM Uniform</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Simple</source>
            <translation type="unfinished" />
        </message>
    </context>
    <context>
        <name>lienzo::ui::QueuePanel</name>
        <message>
            <source>Remove</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Clear finished</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Remove the selected jobs that have not started</source>
            <translation type="unfinished" />
        </message>
    </context>
    <context>
        <name>lienzo::ui::SchedulePlot</name>
        <message>
            <source>Noise schedule: ᾱ_t (signal kept) and the signal-to-noise ratio</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>No schedule (no model loaded)</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>timestep t</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>ᾱ_t (signal kept)</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>SNR (log scale)</source>
            <translation type="unfinished" />
        </message>
    </context>
    <context>
        <name>lienzo::ui::SettingsDialog</name>
        <message>
            <source>Show a preview at every step</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Settings</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Browse…</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Gallery folder</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>System default</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Language</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>The language changes at the next start.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>General</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Model library</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Fast decode: make the final picture with TAESD</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Linear (fast, blurry)</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>TAESD (the real picture, at most 5 % slower)</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Full VAE every N steps (slow)</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>every </source>
            <translation type="unfinished" />
        </message>
        <message>
            <source> steps</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>The model library's VAE-approx folders</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>TAESD decoder</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Safetensors (*.safetensors)</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Previews</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>TAESD file or folder</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Without TAESD weights (taesd_decoder.safetensors, taesdxl_decoder.safetensors) previews are linear.</source>
            <translation type="unfinished" />
        </message>
    </context>
    <context>
        <name>lienzo::ui::Timeline</name>
        <message>
            <source>Every step of the reverse process; click one to see it.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Play the steps as an animation</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Scrub through the steps</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>No steps</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>%1 (%2 of %3)</source>
            <translation type="unfinished" />
        </message>
    </context>
</TS>
