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
        <message>
            <source>Cannot write the edit's source picture.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Cannot write the edit's mask.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Another Lienzo has held the gallery folder %1 for 30 seconds; the picture was not saved.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Cannot write in the gallery folder %1: %2</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>permission denied or no space</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Cannot write the picture of ControlNet %1.</source>
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
        <name>QueueJournal</name>
        <message>
            <source>unknown journal version %1</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>it has no parameters</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>its ControlNet picture %1 cannot be read</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>its picture cannot be read</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>its mask cannot be read</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Cannot keep the job in %1: %2</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>the folder cannot be created</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>the job folder cannot be renamed</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>its job.json cannot be read</source>
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
        <name>lienzo::ui::ControlPanel</name>
        <message>
            <source>Show or hide the ControlNet slots: a sketch, edge map or tile that steers the composition</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Add ControlNet</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Add a ControlNet slot (several are summed)</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>ControlNet</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>ControlNet (%1)</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>ControlNet %1</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>%1 has no model: choose one of your library's ControlNets.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>%1: there is no ControlNet “%2” in your model library (nor a file of that name). Add its folder in Settings ▸ Library, or choose another.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>%1 has no picture: drop one on it, or take the gallery's or the canvas's.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>ControlNet %1: the model “%2” is not in your model library.</source>
            <translation type="unfinished" />
        </message>
    </context>
    <context>
        <name>lienzo::ui::ControlSlot</name>
        <message>
            <source>None (picture as it is)</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Canny edges</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Scribble (dark strokes)</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Threshold</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Invert</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Tile resample</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Inpaint (masked = −1)</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Use this ControlNet</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Use this ControlNet when generating</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Remove ControlNet</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Remove this ControlNet slot</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Control picture</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>The picture the ControlNet follows: drop a file here, take the selected gallery picture or the canvas. Without one, the edit page's picture is used.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Preprocessed preview</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>What the ControlNet sees: the picture after the preprocessor, at the generation size</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>No preview</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Gallery</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>From gallery</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Use the picture selected in the gallery</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Canvas</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Use canvas</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Use the picture on the canvas</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Clear</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Clear picture</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Forget this slot's picture</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Select a picture in the gallery first.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>There is no picture on the canvas yet.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Preprocessor</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>How the picture is turned into what the ControlNet expects</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Canny low threshold</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Edges weaker than this are dropped</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Canny high threshold</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Edges stronger than this are always kept</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Low / high</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Grey level that separates strokes from paper</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Down sampling rate</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>How much the tile picture is shrunk (1 = unchanged)</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Down sample</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>ControlNet model</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>A ControlNet of your model library (Settings ▸ Library), or a file path</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Model</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Control weight</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>How strongly the ControlNet steers (1 = as trained)</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Guidance start</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Fraction of the steps after which the ControlNet starts</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Guidance end</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Fraction of the steps after which the ControlNet stops</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Weight</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Start / end</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Control mode</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>How the ControlNet weighs against the prompt</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Balanced</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>My prompt is more important</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>ControlNet is more important</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Mode</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Resize mode</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>How the picture is fitted to the generation size</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Just resize</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Crop and resize</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Resize and fill</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Resize</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>ControlNet %1</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>ControlNet preprocessor “%1” is unknown; “none” is used.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Drop a picture</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Cannot read %1 as a picture: %2</source>
            <translation type="unfinished" />
        </message>
    </context>
    <context>
        <name>lienzo::ui::EditPanel</name>
        <message>
            <source>Mask brush</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Brush</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Paint the area to redraw (B)</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Eraser</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Erase from the mask (E; X swaps)</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Extend</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Drag the canvas edges outwards to outpaint (multiples of 8 px)</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source> px</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Brush size</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Brush radius in picture pixels ([ smaller, ] larger)</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source> %</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Brush hardness</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>100 %: a hard edge; lower values fade the edge out</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Mask overlay opacity</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>How strongly the mask is tinted over the picture (display only)</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Size</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Hardness</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Overlay</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Invert</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Swap painted and unpainted areas</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Clear</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Remove the whole mask</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Undo</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Undo the last stroke (Ctrl+Z)</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Redo</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Redo the stroke (Ctrl+Shift+Z)</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Redraw</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Denoising strength</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>How much of the picture is redrawn: 0 keeps it, 1 replaces it</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>&amp;Strength</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>At the picture's size</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Output at the picture's size</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Generate at the picture's size (plus margins), rounded to 8 px; off: at the size set in the left panel</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Output</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Resize mode</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>How the picture is fitted to a different output size</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Just resize</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Crop and resize</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Resize and fill</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>&amp;Resize mode</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Run exactly the steps set</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Fixed steps</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>On: exactly Steps steps of a longer schedule (ComfyUI); off: strength × Steps steps, as A1111 does</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Steps</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Inpainting</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Mask blur</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Softens the mask's edge (Gaussian sigma in pixels)</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Mask &amp;blur</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Redraw what is not painted</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Inpaint not masked</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Keep the painted area and redraw the rest</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Inpaint area</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Whole picture: redraw it all at the output size; only masked: cut out the mask's box, redraw it at full size, paste it back</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Whole picture</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Only masked</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Inpaint &amp;area</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Only masked padding</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Context around the mask's box that is cut out with it</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>&amp;Padding</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Masked content</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>What the masked area starts from before it is redrawn</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Original</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Fill</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Latent noise</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Latent nothing</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Masked &amp;content</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Outpainting</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Left</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Top</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Right</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Bottom</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>%1 outpaint margin</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Pixels added on this side (a multiple of 8)</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Outpaint fill</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>What the new area starts from</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Stretch the edge</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Neutral grey</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>&amp;Fill</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Outpaint feather</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>How far the new area blends into the picture</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>F&amp;eather</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Fill all</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Mask the whole picture (redraw all of it)</source>
            <translation type="unfinished" />
        </message>
    </context>
    <context>
        <name>lienzo::ui::EditSession</name>
        <message>
            <source>Edit canvas</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Paint the area to redraw. Wheel: zoom; middle or right drag: pan</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Open a picture to edit: File ▸ Open for editing, drop it here, “Edit” on a gallery item, or “Send to edit” under a result.

Paint the area to redraw, or drag the edges outwards with “Extend” to outpaint; Generate redraws it.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Open…</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Open a picture to edit</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Zoom to fit</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Brush</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Eraser</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Swap brush and eraser</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Smaller brush</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Larger brush</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Undo stroke</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Redo stroke</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Cannot open %1 for editing.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Images (*.png *.jpg *.jpeg *.webp *.bmp)</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Open a picture to edit first.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>%1 is %2×%3 pixels; pictures of at most %4 pixels a side can be edited.</source>
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
        <message>
            <source>Edit</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Open this image on the edit page to paint a mask, redraw or extend it</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Made from</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Compare this result with the picture it was made from</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>source</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>From: &lt;a href=&quot;source&quot;&gt;%1&lt;/a&gt;</source>
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
        <name>lienzo::ui::HiresPanel</name>
        <message>
            <source>Hires fix</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Generate at this size, then redraw the result larger in a second pass</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Upscale by</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>How much larger the second pass is</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Upscaler</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>How the first pass is enlarged before it is redrawn</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Hires steps</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Steps of the second pass; 0 = as many as the first</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>same</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Hires denoising strength</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>How much the second pass redraws</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Denoising</source>
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
        <message>
            <source>Edit</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Send to edit: open the picture shown on the edit page</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Send to edit</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Generated image</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>&amp;Open picture for editing…</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Open a picture to edit</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Open image for the &amp;forward process…</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Source: %1</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Hires step %1</source>
            <translation type="unfinished" />
        </message>
        <message numerus="yes">
            <source>%n job(s) did not finish when Lienzo last ran. Generate ▸ Resume unfinished jobs makes what is left of them; nothing already saved is made again.</source>
            <translation type="unfinished">
                <numerusform></numerusform>
                <numerusform></numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>%n unfinished job(s) queued again.</source>
            <translation type="unfinished">
                <numerusform></numerusform>
                <numerusform></numerusform>
            </translation>
        </message>
    </context>
    <context>
        <name>lienzo::ui::MaskDocument</name>
        <message>
            <source>Erase</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Paint</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Invert mask</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Clear mask</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Fill mask</source>
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
            <source>Guid&amp;ance</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Distilled guidance of Flux dev: how closely the picture follows the prompt. It is not CFG (CFG stays 1, one model call per step).</source>
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
    <context>
        <name>lienzo::ui::UnfinishedJobs</name>
        <message>
            <source>&amp;Discard unfinished jobs</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Runs what is left of the jobs the last session did not finish</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Forgets the jobs the last session did not finish</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>An unfinished job could not be read (%1).</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>&amp;Resume unfinished jobs (%1)</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>&amp;Resume unfinished jobs</source>
            <translation type="unfinished" />
        </message>
    </context>
</TS>
