using System.Text.Json;
using MaskRcnn.Data;
using MaskRcnn.Data.Coco;
using MaskRcnn.Structures;
using MaskRcnn.Structures.Keypoints;

namespace MaskRcnn.Tests.Data;

/// <summary>A COCO person_keypoints file as maskrcnn-benchmark's COCODataset reads it: keypoints in the targets (crowds
/// left out), and for training only images with at least 10 labelled keypoints.</summary>
public class KeypointDatasetTests
{
    static string Keypoints(int labelled) =>
        string.Join(", ", Enumerable.Range(0, 17).Select(k => k < labelled ? $"{10 + k}, {12 + k}, 2" : "0, 0, 0"));

    static CocoFile File(string annotations) => CocoFile.Parse(JsonDocument.Parse($$"""
        {"images": [{"id": 1, "file_name": "a.jpg", "width": 80, "height": 60}, {"id": 2, "file_name": "b.jpg", "width": 80, "height": 60}],
         "categories": [{"id": 1, "name": "person"}],
         "annotations": [{{annotations}}]}
        """).RootElement, "person_keypoints.json");

    static string Person(int id, int image, int labelled, int crowd = 0) =>
        $$"""{"id": {{id}}, "image_id": {{image}}, "category_id": 1, "bbox": [5, 5, 40, 40], "area": 900, "iscrowd": {{crowd}}, "num_keypoints": {{labelled}}, "keypoints": [{{Keypoints(labelled)}}]}""";

    [Fact]
    public void TargetsCarryTheKeypointsOfNonCrowdAnnotations()
    {
        var coco = File(string.Join(", ", Person(1, 1, 6), Person(2, 1, 0, crowd: 1), Person(3, 1, 5)));
        var dataset = new CocoDetectionDataset(coco, "images", forTraining: false);
        var target = dataset.Target(coco.ImagesById[1]);
        var keypoints = target.Field<PersonKeypoints>(BoxFields.Keypoints);
        Assert.Equal(2, keypoints.Count);
        Assert.Equal([10f, 12, 2], keypoints.Tensor[0, 0].data<float>().ToArray());
        Assert.Equal([0f, 0, 0], keypoints.Tensor[1, 5].data<float>().ToArray());
        Assert.Equal(new ImageSize(60, 80), keypoints.Size);
    }

    [Fact]
    public void TrainingKeepsImagesWithAtLeastTenLabelledKeypoints()
    {
        // Image 1: 6 + 4 labelled (kept); image 2: 9 (dropped for training, kept for testing).
        var coco = File(string.Join(", ", Person(1, 1, 6), Person(2, 1, 4), Person(3, 2, 9)));
        var training = new CocoDetectionDataset(coco, "images", forTraining: true);
        Assert.Equal(1, training.Count);
        Assert.Equal(1, training.ImageIdAt(0));
        Assert.Equal(2, new CocoDetectionDataset(coco, "images", forTraining: false).Count);
    }

    [Fact]
    public void AnAnnotationWithoutKeypointsAmongOnesWithIsNamed()
    {
        var coco = File(Person(1, 1, 12) + """, {"id": 7, "image_id": 1, "category_id": 1, "bbox": [5, 5, 10, 10], "area": 100, "iscrowd": 0}""");
        var dataset = new CocoDetectionDataset(coco, "images", forTraining: false);
        var error = Assert.Throws<DataException>(() => dataset.Target(coco.ImagesById[1]));
        Assert.Contains("person_keypoints.json: annotation 7: has no 'keypoints'", error.Message);
    }
}
